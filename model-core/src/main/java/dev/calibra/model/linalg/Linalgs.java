package dev.calibra.model.linalg;

import ai.djl.engine.Engine;

/** Picks the {@link Linalg} to use: MKL LAPACK from the loaded libtorch when available, Java otherwise. */
public final class Linalgs {

    private static volatile Linalg best;

    private Linalgs() {
    }

    /** The fastest available implementation; loads DJL's PyTorch engine on first use. */
    public static Linalg best() {
        Linalg chosen = best;
        if (chosen == null) {
            synchronized (Linalgs.class) {
                chosen = best;
                if (chosen == null) {
                    chosen = detect();
                    best = chosen;
                }
            }
        }
        return chosen;
    }

    private static Linalg detect() {
        try {
            Engine.getEngine("PyTorch");
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return new JavaLinalg();
        }
        return LapackLinalg.fromLoadedLibtorch().<Linalg>map(lapack -> lapack).orElseGet(JavaLinalg::new);
    }
}
