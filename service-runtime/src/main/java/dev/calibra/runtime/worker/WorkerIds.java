package dev.calibra.runtime.worker;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;

/**
 * Worker ids unique per process: in containers every process is pid 1 and hosts may share a name,
 * so "host:pid" alone would let two replicas heartbeat each other's leases.
 */
public final class WorkerIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private WorkerIds() {}

    /** {@code <service>@<host>:<pid>-<8 random hex>}, e.g. "eval-service@node-3:1-5f0c9a2e". */
    public static String of(String serviceName) {
        return serviceName + "@" + hostname() + ":" + ProcessHandle.current().pid() + "-" + String.format("%08x", RANDOM.nextInt());
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }
}
