package dev.calibra.registry.corpus;

import dev.calibra.proto.v1.RegisterCorpusRequest;
import dev.calibra.registry.support.ArtifactLocation;
import dev.calibra.registry.support.ArtifactLocations;
import dev.calibra.registry.support.Checks;
import dev.calibra.registry.support.Ids;
import dev.calibra.registry.support.Page;
import dev.calibra.registry.team.TeamScope;
import dev.calibra.rpc.CalibraException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import dev.calibra.registry.support.Times;
import java.util.Optional;

/** Registers and reads corpora; the same content under the same document rule is registered once. */
@ApplicationScoped
public class CorpusService {

    private final CorpusRepository corpora;
    private final ArtifactLocations locations;

    public CorpusService(CorpusRepository corpora, ArtifactLocations locations) {
        this.corpora = corpora;
        this.locations = locations;
    }

    @Transactional
    public CorpusEntity register(String teamId, RegisterCorpusRequest request) {
        String name = Checks.required(request.getName(), "name");
        ArtifactLocation source = locations.existing(Checks.required(request.getSourceUri(), "source_uri"), "source_uri");
        Checks.sha256(request.getSha256(), "sha256");
        Checks.positive(request.getDocumentCount(), "document_count");
        String rule = Checks.required(request.getDocumentRule(), "document_rule");

        Optional<CorpusEntity> sameContent = corpora.findByContent(teamId, request.getSha256(), rule);
        if (sameContent.isPresent()) {
            return sameContent.get();
        }
        Optional<CorpusEntity> sameName = corpora.findByName(teamId, name);
        if (sameName.isPresent()) {
            throw CalibraException.alreadyExists("a corpus named '" + name + "' is already registered with other content ("
                    + sameName.get().id + "); choose another name");
        }
        CorpusEntity corpus = new CorpusEntity();
        corpus.id = Ids.next("cor");
        corpus.teamId = teamId;
        corpus.name = name;
        corpus.domain = request.getDomain();
        corpus.sourceUri = source.uri();
        corpus.sha256 = request.getSha256();
        corpus.documentCount = request.getDocumentCount();
        corpus.split = request.getSplit();
        corpus.documentRule = rule;
        corpus.licence = request.getLicence();
        corpus.sizeBytes = request.getSizeBytes();
        corpus.createdAt = Times.now();
        corpora.persist(corpus);
        return corpus;
    }

    public CorpusEntity get(TeamScope scope, String idOrName) {
        Checks.required(idOrName, "id");
        return corpora.findVisible(scope, idOrName)
                .orElseThrow(() -> CalibraException.notFound("corpus " + idOrName + " is not registered"));
    }

    public Page<CorpusEntity> list(TeamScope scope, String pageToken, int pageSize) {
        return corpora.page(scope, pageToken, pageSize);
    }
}
