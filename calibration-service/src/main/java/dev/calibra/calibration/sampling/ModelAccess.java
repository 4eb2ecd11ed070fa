package dev.calibra.calibration.sampling;

import dev.calibra.model.CausalLm;

/** The model of a sampling request, loaded only when a strategy or statistic needs its weights. */
@FunctionalInterface
public interface ModelAccess {
    CausalLm model();
}
