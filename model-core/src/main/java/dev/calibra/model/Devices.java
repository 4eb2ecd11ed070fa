package dev.calibra.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** Device choice: the GPU when one is requested and present, else the CPU. */
public final class Devices {

    private Devices() {}

    public static Device choose(boolean preferGpu) {
        return preferGpu && Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }
}
