package dev.calibra.compression.service;

import dev.calibra.contract.MethodContracts;
import dev.calibra.proto.v1.ListMethodsResponse;

/** Compression.ListMethods: every method's contract, as compression.proto states it. */
public final class MethodCatalog {

    private MethodCatalog() {}

    public static ListMethodsResponse describe() {
        return ListMethodsResponse.newBuilder().addAllMethods(MethodContracts.all()).build();
    }
}
