package dev.calibra.calibration.service;

import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.runtime.registry.RegistryClients;
import dev.calibra.calibration.statistics.EvaluationTexts;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Wires the plain {@link CalibrationService} from configuration: registry stub, artifact store, assets. */
@ApplicationScoped
public class ServiceBeans {

    private static final Logger LOG = Logger.getLogger(ServiceBeans.class.getName());

    @Produces
    @ApplicationScoped
    CalibrationService calibrationService(RegistryClients clients, ArtifactStore store,
            @ConfigProperty(name = "calibra.assets") String assets) {
        return new CalibrationService(clients.registry(), new CalibrationArtifacts(store),
                new SetSampler(evaluationTexts(Path.of(assets).toAbsolutePath().normalize())));
    }

    /** The evaluation texts' 13-grams, read on first use (a few seconds) and kept. */
    static Supplier<EvaluationTexts> evaluationTexts(Path assets) {
        return new Supplier<>() {
            private EvaluationTexts texts;

            @Override
            public synchronized EvaluationTexts get() {
                if (texts == null) {
                    try {
                        texts = EvaluationTexts.load(assets);
                        LOG.info(() -> "contamination check against " + texts.sources().size() + " files under " + assets);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read the evaluation texts under " + assets, e);
                    }
                }
                return texts;
            }
        };
    }
}
