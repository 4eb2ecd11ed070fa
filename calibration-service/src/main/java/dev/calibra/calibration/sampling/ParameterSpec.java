package dev.calibra.calibration.sampling;

import dev.calibra.proto.v1.ParameterInfo;

/** One strategy parameter: name, type ("int", "double", "bool", "string", "enum"), default, allowed values, meaning. */
public record ParameterSpec(String name, String type, String defaultValue, String allowed, String description) {

    public ParameterInfo toProto() {
        return ParameterInfo.newBuilder().setName(name).setType(type).setDefaultValue(defaultValue).setAllowed(allowed)
                .setDescription(description).build();
    }
}
