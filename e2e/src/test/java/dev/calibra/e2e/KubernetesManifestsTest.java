package dev.calibra.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/kubernetes checked against what it deploys, without a cluster: every manifest parses and names
 * itself; the kustomizations list every file; each docker-compose service has a Deployment with the
 * compose image, the port of its application.properties, /q/health probes, resource requests and
 * limits and every variable it needs; each worker scales on the queue depth of the job type its code
 * claims; the GPU and CloudNativePG components patch what they claim to; the object-storage overlay, rendered
 * here by {@link #kustomize}, keeps the artifacts in a bucket with no PersistentVolumeClaim left. When kubectl is
 * installed it also renders each variant with its built-in kustomize, and the object-storage overlay must come out
 * as {@link #kustomize} renders it.
 */
class KubernetesManifestsTest {

    private static final Path ROOT = LocalStack.repositoryRoot();
    private static final Path K8S = ROOT.resolve("deploy/kubernetes");
    private static final Path BASE = K8S.resolve("base");
    private static final Path OBJECT_STORAGE = K8S.resolve("overlays/object-storage");
    /** The Secret the object-storage variant takes the S3 credentials from (created by the operator). */
    private static final String OBJECT_STORAGE_SECRET = "calibra-object-storage";

    /**
     * Variables whose built-in default is right in a cluster too (tunables, and CALIBRA_OTLP_ENDPOINT, which
     * stays empty until the operator names a collector); every other variable a service reads must be set by
     * its manifest. A new variable fails this test until someone decides which it is.
     */
    private static final Set<String> DEFAULT_FITS_CLUSTER = Set.of("CALIBRA_MAX_MESSAGE_BYTES", "CALIBRA_DB_POOL",
            "CALIBRA_REAPER_INTERVAL", "CALIBRA_WATCH_POLL_MILLIS", "CALIBRA_WORKER_ENABLED",
            "CALIBRA_WORKER_LEASE_SECONDS", "CALIBRA_COMPRESSION_MEMORY_BUDGET", "CALIBRA_DEFAULT_TEAM_MAX_RUNNING",
            "CALIBRA_AUTH_CACHE_TTL", "CALIBRA_METRICS_POLL_INTERVAL", "CALIBRA_HEALTH_INTERVAL", "CALIBRA_OTLP_ENDPOINT",
            "CALIBRA_DEFAULT_TEAM_MAX_PENDING", "CALIBRA_STUDY_MAX_JOBS");

    /** Read only by an S3 store: unset is right with a folder store; the object-storage variant must set it. */
    private static final Set<String> OBJECT_STORE_ONLY = Set.of("CALIBRA_ARTIFACT_CACHE");

    /** The apiVersion each kind is written with; a kind not listed here is a mistake until added. */
    private static final Map<String, String> API_VERSIONS = Map.ofEntries(
            Map.entry("Namespace", "v1"), Map.entry("ConfigMap", "v1"), Map.entry("Service", "v1"),
            Map.entry("PersistentVolumeClaim", "v1"), Map.entry("Pod", "v1"), Map.entry("Deployment", "apps/v1"),
            Map.entry("PodDisruptionBudget", "policy/v1"), Map.entry("ScaledObject", "keda.sh/v1alpha1"),
            Map.entry("TriggerAuthentication", "keda.sh/v1alpha1"), Map.entry("Cluster", "postgresql.cnpg.io/v1"),
            Map.entry("Kustomization", "kustomize.config.k8s.io/v1beta1"),
            Map.entry("Component", "kustomize.config.k8s.io/v1alpha1"));

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    /** ${A:${B:...}}: group 1 is the chain "A:${B", each variable the fallback of the one before. */
    private static final Pattern PROPERTY_VARIABLE = Pattern.compile("\\$\\{(CALIBRA_[A-Z0-9_]+(?::\\$\\{CALIBRA_[A-Z0-9_]+)*)");
    private static final Pattern HTTP_PORT = Pattern.compile("(?m)^quarkus\\.http\\.port=\\$\\{CALIBRA_PORT:(\\d+)}");
    private static final Pattern WORKER_JOB_TYPE = Pattern.compile("JobType\\.JOB_TYPE_([A-Z]+)");
    private static final Pattern STORED_JOB_TYPE = Pattern.compile("case JOB_TYPE_[A-Z]+ -> \"([A-Z]+)\"");

    /** One YAML document and the file it came from. */
    record Manifest(Path file, Map<String, Object> body) {
        String kind() {
            return (String) body.get("kind");
        }

        String name() {
            return (String) map(body, "metadata").get("name");
        }

        @Override
        public String toString() {
            return kind() + "/" + name() + " (" + ROOT.relativize(file) + ")";
        }
    }

    /** A docker-compose service and the module it is built from. */
    record ComposeService(String name, Path module, String image, Map<String, Object> environment) {}

    @Test
    void everyManifest_parses_andNamesItsApiVersionKindAndName() throws IOException {
        List<Manifest> all = manifests(K8S);
        assertTrue(all.size() >= 20, "expected the whole tree under " + K8S + ", found " + all.size() + " documents");
        for (Manifest manifest : all) {
            String where = ROOT.relativize(manifest.file()).toString();
            assertTrue(manifest.body().get("kind") instanceof String, where + ": a document without kind");
            String expected = API_VERSIONS.get(manifest.kind());
            assertNotNull(expected, where + ": kind " + manifest.kind() + " is not one this tree is known to use");
            assertEquals(expected, manifest.body().get("apiVersion"), where + ": apiVersion of " + manifest.kind());
            assertFalse("Secret".equals(manifest.kind()), where + ": secrets are created by the operator, never committed");
            if (manifest.kind().equals("Kustomization") || manifest.kind().equals("Component")) {
                continue;
            }
            assertTrue(manifest.body().get("metadata") instanceof Map, where + ": no metadata");
            String name = manifest.name();
            assertTrue(name != null && DNS_LABEL.matcher(name).matches(), where + ": metadata.name '" + name + "' is not a DNS label");
            assertFalse(map(manifest.body(), "metadata").containsKey("namespace"),
                    where + ": " + manifest + " hard-codes a namespace; the kustomization sets it");
        }
    }

    @Test
    void everyKustomization_listsEveryFileInItsFolder_andOnlyPathsThatExist() throws IOException {
        Set<Path> folders = new TreeSet<>();
        try (Stream<Path> files = Files.walk(K8S)) {
            files.filter(KubernetesManifestsTest::isYaml).forEach(file -> folders.add(file.getParent()));
        }
        for (Path folder : folders) {
            Path kustomization = folder.resolve("kustomization.yaml");
            if (!Files.exists(kustomization)) {
                // Standalone one-off manifests (applied with kubectl apply -f) live only in tools/.
                assertEquals(K8S.resolve("tools"), folder, folder + " holds manifests but no kustomization.yaml");
                continue;
            }
            Map<String, Object> body = load(kustomization).get(0).body();
            Set<String> listed = new TreeSet<>();
            for (String resource : strings(body, "resources")) {
                Path target = folder.resolve(resource).normalize();
                assertTrue(Files.isRegularFile(target) || Files.isRegularFile(target.resolve("kustomization.yaml")),
                        kustomization + ": resource " + resource + " is neither a file nor a kustomization");
                listed.add(resource);
            }
            for (String component : strings(body, "components")) {
                Path target = folder.resolve(component).normalize().resolve("kustomization.yaml");
                assertTrue(Files.isRegularFile(target), kustomization + ": component " + component + " has no kustomization.yaml");
                assertEquals("Component", load(target).get(0).kind(), target + " must be a kustomize Component");
            }
            for (Map<String, Object> patch : maps(body, "patches")) {
                String path = (String) patch.get("path");
                assertTrue(Files.isRegularFile(folder.resolve(path)), kustomization + ": patch " + path + " does not exist");
                listed.add(path);
            }
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : files.filter(KubernetesManifestsTest::isYaml).toList()) {
                    String name = file.getFileName().toString();
                    if (!name.equals("kustomization.yaml")) {
                        assertTrue(listed.contains(name), kustomization + " does not list " + name);
                    }
                }
            }
        }
        assertEquals(List.of("base"), strings(load(K8S.resolve("kustomization.yaml")).get(0).body(), "resources"),
                "kubectl apply -k deploy/kubernetes deploys the base");
        Map<String, Object> base = load(BASE.resolve("kustomization.yaml")).get(0).body();
        assertEquals("calibra", base.get("namespace"));
        assertTrue(manifests(BASE).stream().anyMatch(m -> m.kind().equals("Namespace") && m.name().equals("calibra")));
    }

    @Test
    void everyComposeService_runsItsComposeImage_onItsDefaultPort_withHealthProbesAndResources() throws IOException {
        List<Manifest> base = manifests(BASE);
        Map<String, ComposeService> compose = composeServices();
        assertEquals(Set.of("registry", "calibration", "compression", "evaluation"), compose.keySet());
        for (ComposeService service : compose.values()) {
            Manifest deployment = find(base, "Deployment", service.name());
            int port = defaultPort(service);
            Map<String, Object> pod = map(map(deployment.body(), "spec", "template"), "spec");
            Map<String, Object> labels = map(map(deployment.body(), "spec", "template"), "metadata", "labels");
            assertTrue(labels.entrySet().containsAll(map(deployment.body(), "spec", "selector", "matchLabels").entrySet()),
                    deployment + ": the selector must match the pod labels");

            List<Map<String, Object>> containers = maps(pod, "containers");
            assertEquals(1, containers.size(), deployment + ": one container");
            Map<String, Object> container = containers.get(0);
            assertEquals(service.name(), container.get("name"), deployment + ": the container is named after the service (patches merge on it)");
            assertEquals(service.image(), container.get("image"), deployment + ": the image docker-compose.yml names");

            Map<String, Integer> ports = new HashMap<>();
            for (Map<String, Object> containerPort : maps(container, "ports")) {
                ports.put((String) containerPort.get("name"), (Integer) containerPort.get("containerPort"));
            }
            assertEquals(Map.of("http", port), ports, deployment + ": gRPC and HTTP share the application.properties port");
            assertEquals(String.valueOf(port), environment(base, container).get("CALIBRA_PORT"), deployment + ": CALIBRA_PORT");

            assertProbe(deployment, container, "livenessProbe", "/q/health/live", port, ports);
            assertProbe(deployment, container, "readinessProbe", "/q/health/ready", port, ports);
            assertProbe(deployment, container, "startupProbe", "/q/health/live", port, ports);

            Map<String, Object> resources = map(container, "resources");
            for (String resource : List.of("cpu", "memory")) {
                Object request = map(resources, "requests").get(resource);
                Object limit = map(resources, "limits").get(resource);
                assertNotNull(request, deployment + ": requests." + resource);
                assertNotNull(limit, deployment + ": limits." + resource);
                assertTrue(quantity(request) <= quantity(limit), deployment + ": " + resource + " request " + request + " over its limit " + limit);
            }
            assertFalse(map(resources, "limits").containsKey("nvidia.com/gpu"), deployment + ": the base runs on CPU; components/gpu adds the GPU");

            Map<String, Object> annotations = map(map(deployment.body(), "spec", "template"), "metadata", "annotations");
            assertEquals("true", annotations.get("prometheus.io/scrape"), deployment + ": Prometheus scrape annotation");
            assertEquals(String.valueOf(port), annotations.get("prometheus.io/port"), deployment + ": metrics port");
            assertEquals("/q/metrics", annotations.get("prometheus.io/path"), deployment + ": metrics path");

            Manifest svc = find(base, "Service", service.name());
            assertTrue(labels.entrySet().containsAll(map(svc.body(), "spec", "selector").entrySet()), svc + ": selects the pods");
            List<Map<String, Object>> servicePorts = maps(map(svc.body(), "spec"), "ports");
            assertEquals(1, servicePorts.size(), svc + ": one port");
            assertEquals(port, servicePorts.get(0).get("port"), svc + ": the compose port");
            assertEquals(port, resolvePort(servicePorts.get(0).get("targetPort"), ports), svc + ": targetPort");
        }
    }

    @Test
    void everyService_getsEveryVariableItReads_andItsKeysFromSecrets() throws IOException {
        List<Manifest> base = manifests(BASE);
        Map<String, ComposeService> compose = composeServices();
        for (ComposeService service : compose.values()) {
            Manifest deployment = find(base, "Deployment", service.name());
            Map<String, Object> container = maps(map(map(deployment.body(), "spec", "template"), "spec"), "containers").get(0);
            Map<String, String> env = environment(base, container);
            assertSetsEveryVariableItReads(service, deployment, env);
            // Shared settings agree with docker-compose.yml, so artifact URIs mean the same in both.
            for (String shared : List.of("CALIBRA_REGISTRY", "CALIBRA_ARTIFACTS", "CALIBRA_ASSETS")) {
                assertEquals(String.valueOf(service.environment().get(shared)), env.get(shared), deployment + ": " + shared + " as in docker-compose.yml");
            }
            assertEquals(env.get("CALIBRA_ASSETS"), env.get("CALIBRA_ALLOWED_ROOTS"),
                    deployment + ": caller-named paths confined to the assets (unset means any path in the pod)");
            Map<String, Map<String, String>> secrets = secretRefs(container);
            List<String> keys = service.name().equals("registry")
                    ? List.of("CALIBRA_ADMIN_KEY", "CALIBRA_SERVICE_KEY") : List.of("CALIBRA_SERVICE_KEY");
            for (String key : keys) {
                assertEquals(Map.of("name", "calibra-keys", "key", key), secrets.get(key), deployment + ": " + key + " from Secret calibra-keys");
            }
            if (service.name().equals("registry")) {
                for (String db : List.of("CALIBRA_DB_URL", "CALIBRA_DB_USER", "CALIBRA_DB_PASSWORD")) {
                    assertEquals(Map.of("name", "calibra-db", "key", db), secrets.get(db), deployment + ": " + db + " from Secret calibra-db");
                }
            }
            assertNoLiteralSecrets(base, deployment, container);
        }
        String registryTarget = (String) map(find(base, "ConfigMap", "calibra-config").body(), "data").get("CALIBRA_REGISTRY");
        String[] hostPort = registryTarget.split(":");
        Manifest registryService = find(base, "Service", hostPort[0]);
        assertEquals(Integer.parseInt(hostPort[1]), maps(map(registryService.body(), "spec"), "ports").get(0).get("port"),
                "CALIBRA_REGISTRY names the registry Service and its port");
    }

    @Test
    void everyService_mountsTheSharedArtifactVolume_andTheAssetsReadOnly() throws IOException {
        List<Manifest> base = manifests(BASE);
        Manifest artifacts = find(base, "PersistentVolumeClaim", "calibra-artifacts");
        assertEquals(List.of("ReadWriteMany"), strings(map(artifacts.body(), "spec"), "accessModes"), artifacts + ": shared by pods on every node");
        find(base, "PersistentVolumeClaim", "calibra-assets");
        for (String name : composeServices().keySet()) {
            Manifest deployment = find(base, "Deployment", name);
            Map<String, Object> pod = map(map(deployment.body(), "spec", "template"), "spec");
            Map<String, Object> container = maps(pod, "containers").get(0);
            Map<String, String> env = environment(base, container);
            Map<String, String> claims = new HashMap<>();
            for (Map<String, Object> volume : maps(pod, "volumes")) {
                if (volume.get("persistentVolumeClaim") instanceof Map<?, ?> claim) {
                    claims.put((String) volume.get("name"), (String) claim.get("claimName"));
                }
            }
            Map<String, Map<String, Object>> mounts = new HashMap<>();
            for (Map<String, Object> mount : maps(container, "volumeMounts")) {
                mounts.put(claims.get((String) mount.get("name")), mount);
            }
            Map<String, Object> artifactMount = mounts.get("calibra-artifacts");
            assertNotNull(artifactMount, deployment + " does not mount calibra-artifacts");
            assertEquals(env.get("CALIBRA_ARTIFACTS"), artifactMount.get("mountPath"), deployment + ": artifacts mounted where CALIBRA_ARTIFACTS points");
            assertFalse(Boolean.TRUE.equals(artifactMount.get("readOnly")), deployment + ": artifacts must be writable");
            Map<String, Object> assetMount = mounts.get("calibra-assets");
            assertNotNull(assetMount, deployment + " does not mount calibra-assets");
            assertEquals(env.get("CALIBRA_ASSETS"), assetMount.get("mountPath"), deployment + ": assets mounted where CALIBRA_ASSETS points");
            assertEquals(Boolean.TRUE, assetMount.get("readOnly"), deployment + ": assets are read-only");
        }
    }

    @Test
    void everyWorker_scalesOnTheQueueDepthOfTheJobTypeItsCodeClaims() throws IOException {
        List<Manifest> base = manifests(BASE);
        Set<String> storedTypes = matches(STORED_JOB_TYPE,
                Files.readString(ROOT.resolve("registry/src/main/java/dev/calibra/registry/job/JobTypes.java")));
        assertEquals(Set.of("CALIBRATE", "COMPRESS", "EVALUATE"), storedTypes, "job types the registry stores");
        String schema = migrations();
        List<Manifest> scaledObjects = base.stream().filter(m -> m.kind().equals("ScaledObject")).toList();
        Set<String> workers = new TreeSet<>();
        for (ComposeService service : composeServices().values()) {
            Set<String> claimed = workerJobTypes(service.module());
            List<Manifest> scalers = scaledObjects.stream()
                    .filter(s -> service.name().equals(map(s.body(), "spec", "scaleTargetRef").get("name"))).toList();
            if (claimed.isEmpty()) {
                assertEquals(List.of(), scalers, service.name() + " claims no jobs, so nothing scales it on the queue");
                continue;
            }
            workers.add(service.name());
            assertEquals(1, claimed.size(), service.name() + " claims one job type: " + claimed);
            String type = claimed.iterator().next();
            assertEquals(1, scalers.size(), "one ScaledObject targets the " + service.name() + " Deployment");
            Manifest scaler = scalers.get(0);
            Manifest deployment = find(base, "Deployment", service.name());
            assertFalse(map(deployment.body(), "spec").containsKey("replicas"), deployment + ": replicas belong to " + scaler);

            Map<String, Object> spec = map(scaler.body(), "spec");
            int min = (Integer) spec.get("minReplicaCount");
            int max = (Integer) spec.get("maxReplicaCount");
            assertTrue(min >= 1, scaler + ": at least one replica answers direct calls");
            assertTrue(max >= min, scaler + ": maxReplicaCount " + max + " under minReplicaCount " + min);
            List<Map<String, Object>> triggers = maps(spec, "triggers");
            assertEquals(1, triggers.size(), scaler + ": one trigger");
            Map<String, Object> trigger = triggers.get(0);
            assertEquals("postgresql", trigger.get("type"), scaler + ": KEDA's postgresql scaler");
            Map<String, Object> metadata = map(trigger, "metadata");
            assertTrue(Double.parseDouble((String) metadata.get("targetQueryValue")) > 0, scaler + ": targetQueryValue");
            String query = (String) metadata.get("query");
            Set<String> literals = matches(Pattern.compile("'([A-Z_]+)'"), query);
            Set<String> typesNamed = literals.stream().filter(storedTypes::contains).collect(Collectors.toSet());
            assertEquals(Set.of(type), typesNamed, scaler + ": the query counts " + service.name() + "'s own job type only: " + query);
            assertTrue(query.matches("(?s).*\\btype\\s*=\\s*'" + type + "'.*"), scaler + ": filters on type = '" + type + "'");
            assertTrue(literals.contains("PENDING"), scaler + ": counts pending jobs");
            assertTrue(query.contains("job_dependency"), scaler + ": counts only pending jobs whose dependencies succeeded");
            assertTrue(query.contains("max_running_jobs"), scaler + ": counts no job of a team at its running limit");
            // Table aliases j, r, p: job; d: job_dependency; t: team (c and q are computed counts).
            for (String column : matches(Pattern.compile("\\b[jrpdt]\\.([a-z_]+)"), query)) {
                assertTrue(Pattern.compile("(?m)(^\\s+|ADD COLUMN\\s+)" + column + "\\s+[A-Z]").matcher(schema).find(),
                        scaler + ": column " + column + " is not in the registry's Flyway migrations");
            }
            Manifest auth = find(base, "TriggerAuthentication", (String) map(trigger, "authenticationRef").get("name"));
            List<Map<String, Object>> refs = maps(map(auth.body(), "spec"), "secretTargetRef");
            assertTrue(refs.stream().anyMatch(r -> "connection".equals(r.get("parameter")) && "calibra-db".equals(r.get("name"))),
                    auth + ": the connection string comes from Secret calibra-db");
        }
        assertEquals(Set.of("calibration", "compression", "evaluation"), workers);
        assertEquals(3, scaledObjects.size(), "one ScaledObject per worker, none for the registry");
    }

    @Test
    void gpuComponent_putsCompressionOnGpuNodes_withTheCudaImage() throws IOException {
        Path gpu = K8S.resolve("components/gpu");
        Map<String, Object> component = load(gpu.resolve("kustomization.yaml")).get(0).body();
        String composeImage = composeServices().get("compression").image();
        String imageName = composeImage.substring(0, composeImage.lastIndexOf(':'));
        List<Map<String, Object>> images = maps(component, "images");
        assertEquals(1, images.size(), "the GPU component swaps one image");
        assertEquals(imageName, images.get(0).get("name"));
        String cudaTag = (String) images.get(0).get("newTag");
        assertTrue(cudaTag != null && !composeImage.endsWith(":" + cudaTag), "the GPU component uses its own tag, not " + composeImage);

        Manifest patch = find(manifests(gpu), "Deployment", "compression");
        Map<String, Object> pod = map(map(patch.body(), "spec", "template"), "spec");
        Map<String, Object> container = maps(pod, "containers").get(0);
        assertEquals("compression", container.get("name"), patch + ": merges into the compression container");
        for (String side : List.of("requests", "limits")) {
            Object gpus = map(map(container, "resources"), side).get("nvidia.com/gpu");
            assertTrue(gpus != null && Integer.parseInt(gpus.toString()) >= 1, patch + ": " + side + " nvidia.com/gpu");
        }
        assertTrue(maps(pod, "tolerations").stream().anyMatch(t -> "nvidia.com/gpu".equals(t.get("key"))), patch + ": tolerates the GPU taint");
        assertFalse(map(pod, "nodeSelector").isEmpty(), patch + ": selects GPU nodes");

        // The CUDA image is the compose image plus libtorch of the version the build pins.
        String dockerfile = Files.readString(gpu.resolve("Dockerfile.cuda"));
        String pytorch = matches(Pattern.compile("<pytorch\\.version>([^<]+)</pytorch\\.version>"), Files.readString(ROOT.resolve("pom.xml")))
                .iterator().next();
        assertTrue(dockerfile.contains("\nFROM " + composeImage + "\n"), "Dockerfile.cuda builds on " + composeImage);
        assertTrue(dockerfile.contains("PYTORCH_LIBRARY_PATH="), "Dockerfile.cuda points DJL at the CUDA libtorch");
        assertTrue(dockerfile.contains("PYTORCH_VERSION=" + pytorch + " "), "Dockerfile.cuda's libtorch is the pom's " + pytorch);
        assertTrue(dockerfile.contains(":0.1.0-cu128") && cudaTag.equals("0.1.0-cu128"), "Dockerfile.cuda builds the tag the component uses");

        Map<String, Object> overlay = load(K8S.resolve("overlays/gpu/kustomization.yaml")).get(0).body();
        assertEquals(List.of("../../base"), strings(overlay, "resources"));
        assertEquals(List.of("../../components/gpu"), strings(overlay, "components"));
    }

    @Test
    void cloudNativePgComponent_pointsTheRegistryAndKedaAtTheOperatorsSecret() throws IOException {
        Path cnpg = K8S.resolve("components/cloudnative-pg");
        List<Manifest> manifests = manifests(cnpg);
        Manifest cluster = manifests.stream().filter(m -> m.kind().equals("Cluster")).findFirst().orElseThrow();
        Object postgresDb = map(composeRoot(), "services", "postgres", "environment").get("POSTGRES_DB");
        assertEquals(postgresDb, map(cluster.body(), "spec", "bootstrap", "initdb").get("database"), cluster + ": the database compose creates");
        String appSecret = cluster.name() + "-app";

        Map<String, Object> container = maps(map(map(find(manifests, "Deployment", "registry").body(), "spec", "template"), "spec"), "containers").get(0);
        assertEquals("registry", container.get("name"));
        Map<String, Map<String, String>> refs = secretRefs(container);
        assertEquals(Map.of("name", appSecret, "key", "jdbc-uri"), refs.get("CALIBRA_DB_URL"));
        assertEquals(Map.of("name", appSecret, "key", "username"), refs.get("CALIBRA_DB_USER"));
        assertEquals(Map.of("name", appSecret, "key", "password"), refs.get("CALIBRA_DB_PASSWORD"));

        Manifest auth = find(manifests, "TriggerAuthentication", "calibra-db");
        assertEquals(List.of(Map.of("parameter", "connection", "name", appSecret, "key", "uri")),
                maps(map(auth.body(), "spec"), "secretTargetRef"), auth + ": KEDA reads the operator's libpq URI");
    }

    @Test
    void objectStorageOverlay_keepsTheArtifactsInABucket_withNoPersistentVolumeClaim() throws IOException {
        assertObjectStorage(kustomize(OBJECT_STORAGE), ROOT.relativize(OBJECT_STORAGE).toString());
        Map<String, Object> overlay = load(OBJECT_STORAGE.resolve("kustomization.yaml")).get(0).body();
        assertEquals(List.of("../../base"), strings(overlay, "resources"));
        assertEquals(List.of("../../components/object-storage"), strings(overlay, "components"));
        // The base still has both claims: the overlay is what removes them.
        find(manifests(BASE), "PersistentVolumeClaim", "calibra-artifacts");
        find(manifests(BASE), "PersistentVolumeClaim", "calibra-assets");
    }

    @Test
    void objectStorageOverlay_rendersWithKubectl_asThisTestRendersIt() throws Exception {
        Optional<Path> kubectl = kubectl();
        assumeTrue(kubectl.isPresent(), "kubectl is not installed; objectStorageOverlay_keepsTheArtifactsInABucket... checks this test's rendering");
        String shown = "kubectl kustomize " + ROOT.relativize(OBJECT_STORAGE);
        List<Manifest> rendered = kubectlKustomize(kubectl.get(), OBJECT_STORAGE).stream()
                .map(body -> new Manifest(OBJECT_STORAGE, body)).toList();
        assertObjectStorage(rendered, shown);
        // Keeps kustomize() honest: what it checks without kubectl is what kubectl deploys.
        List<Manifest> ours = kustomize(OBJECT_STORAGE);
        assertEquals(ours.stream().map(m -> m.kind() + "/" + m.name()).sorted().toList(),
                rendered.stream().map(m -> m.kind() + "/" + m.name()).sorted().toList(), shown + ": the objects kustomize() renders");
        // What the component patches; not the ScaledObjects, whose folded queries kustomize re-folds (an extra newline).
        for (Manifest object : ours.stream().filter(m -> Set.of("Deployment", "ConfigMap").contains(m.kind())).toList()) {
            assertEquals(object.body(), find(rendered, object.kind(), object.name()).body(), shown + ": " + object + " as kustomize() renders it");
        }
    }

    @Test
    void kubectlKustomize_rendersEveryVariant() throws Exception {
        Optional<Path> kubectl = kubectl();
        assumeTrue(kubectl.isPresent(), "kubectl is not installed; the other tests check the files themselves");
        Map<String, String> compressionImage = new LinkedHashMap<>();
        for (String variant : List.of("", "overlays/gpu", "overlays/cloudnative-pg", "overlays/object-storage")) {
            String shown = ROOT.relativize(K8S.resolve(variant)).toString();
            List<Map<String, Object>> objects = kubectlKustomize(kubectl.get(), K8S.resolve(variant));
            // 17 in the base; object-storage deletes its two PersistentVolumeClaims.
            assertTrue(objects.size() >= 15, shown + ": rendered " + objects.size() + " objects");
            for (Map<String, Object> object : objects) {
                if (!"Namespace".equals(object.get("kind"))) {
                    assertEquals("calibra", map(object, "metadata").get("namespace"), shown + ": " + object.get("kind") + " in namespace calibra");
                }
                if ("Deployment".equals(object.get("kind")) && "compression".equals(map(object, "metadata").get("name"))) {
                    Map<String, Object> container = maps(map(map(object, "spec", "template"), "spec"), "containers").get(0);
                    compressionImage.put(variant, (String) container.get("image"));
                    assertEquals(variant.equals("overlays/gpu"), map(container, "resources", "limits").containsKey("nvidia.com/gpu"),
                            shown + ": nvidia.com/gpu only in the GPU variant");
                }
            }
        }
        assertEquals(composeServices().get("compression").image(), compressionImage.get(""));
        assertEquals("calibra/compression-service:0.1.0-cu128", compressionImage.get("overlays/gpu"));
    }

    /**
     * A rendered object-storage variant: no PersistentVolumeClaim and no ReadWriteMany; every service on an s3:// store
     * with its endpoint, region and the keys of Secret calibra-object-storage, an emptyDir cache where
     * CALIBRA_ARTIFACT_CACHE points, the assets on an emptyDir an init container fills, and every variable it reads.
     */
    private static void assertObjectStorage(List<Manifest> objects, String shown) throws IOException {
        assertEquals(List.of(), objects.stream().filter(m -> m.kind().equals("PersistentVolumeClaim")).toList(), shown + ": no PersistentVolumeClaim");
        String text = new Yaml().dumpAll(objects.stream().map(Manifest::body).iterator());
        assertFalse(text.contains("ReadWriteMany"), shown + ": nothing asks for ReadWriteMany");
        String dockerfile = Files.readString(K8S.resolve("components/object-storage/Dockerfile.assets"));
        for (ComposeService service : composeServices().values()) {
            Manifest deployment = find(objects, "Deployment", service.name());
            Map<String, Object> pod = map(map(deployment.body(), "spec", "template"), "spec");
            Map<String, Object> container = maps(pod, "containers").get(0);
            assertEquals(service.name(), container.get("name"), deployment + ": one container, the service's");
            Map<String, String> env = environment(objects, container);
            assertSetsEveryVariableItReads(service, deployment, env);
            assertNoLiteralSecrets(objects, deployment, container);

            String store = env.get("CALIBRA_ARTIFACT_STORE");
            assertTrue(store != null && store.matches("s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?"),
                    deployment + ": CALIBRA_ARTIFACT_STORE is an s3://bucket/prefix URI, got " + store);
            assertFalse(env.containsKey("CALIBRA_ARTIFACTS"), deployment + ": no local artifact folder (an allowed root no other pod sees)");
            assertNotNull(env.get("AWS_REGION"), deployment + ": AWS_REGION");
            String endpoint = env.getOrDefault("AWS_ENDPOINT_URL_S3", env.get("AWS_ENDPOINT_URL"));
            assertTrue(endpoint == null || endpoint.matches("https?://[^/\\s]+/?"), deployment + ": the S3 endpoint is an http(s) URL, got " + endpoint);
            Map<String, Map<String, String>> secrets = secretRefs(container);
            for (String key : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
                assertEquals(Map.of("name", OBJECT_STORAGE_SECRET, "key", key), secrets.get(key), deployment + ": " + key + " from Secret " + OBJECT_STORAGE_SECRET);
            }
            for (Map<String, Object> variable : maps(container, "env")) {
                if ("AWS_SESSION_TOKEN".equals(variable.get("name"))) {
                    Map<String, Object> ref = map(variable, "valueFrom", "secretKeyRef");
                    assertEquals(OBJECT_STORAGE_SECRET, ref.get("name"), deployment + ": AWS_SESSION_TOKEN from Secret " + OBJECT_STORAGE_SECRET);
                    assertEquals(Boolean.TRUE, ref.get("optional"), deployment + ": AWS_SESSION_TOKEN is optional (only temporary credentials have one)");
                }
            }

            Map<String, Map<String, Object>> volumes = new HashMap<>();
            for (Map<String, Object> volume : maps(pod, "volumes")) {
                assertFalse(volume.containsKey("persistentVolumeClaim"), deployment + ": volume " + volume.get("name") + " is a PersistentVolumeClaim");
                volumes.put((String) volume.get("name"), volume);
            }
            List<Map<String, Object>> initContainers = maps(pod, "initContainers");
            for (Map<String, Object> any : Stream.concat(Stream.of(container), initContainers.stream()).toList()) {
                for (Map<String, Object> mount : maps(any, "volumeMounts")) {
                    assertTrue(volumes.containsKey((String) mount.get("name")),
                            deployment + ": " + any.get("name") + " mounts " + mount.get("name") + ", which is not a volume of the pod");
                }
            }
            String cache = env.get("CALIBRA_ARTIFACT_CACHE");
            Map<String, Object> cacheMount = mountAt(container, cache);
            assertNotNull(cacheMount, deployment + ": nothing mounted where CALIBRA_ARTIFACT_CACHE (" + cache + ") points");
            assertFalse(Boolean.TRUE.equals(cacheMount.get("readOnly")), deployment + ": the cache must be writable");
            Map<String, Object> cacheVolume = volumes.get((String) cacheMount.get("name"));
            assertTrue(cacheVolume.get("emptyDir") instanceof Map, deployment + ": the cache is an emptyDir, got " + cacheVolume);
            assertTrue(quantity(map(cacheVolume, "emptyDir").get("sizeLimit")) > 0, deployment + ": the cache emptyDir has a sizeLimit");

            String assets = env.get("CALIBRA_ASSETS");
            Map<String, Object> assetMount = mountAt(container, assets);
            assertNotNull(assetMount, deployment + ": nothing mounted where CALIBRA_ASSETS (" + assets + ") points");
            assertEquals(Boolean.TRUE, assetMount.get("readOnly"), deployment + ": assets are read-only");
            assertTrue(volumes.get((String) assetMount.get("name")).get("emptyDir") instanceof Map, deployment + ": the assets are an emptyDir");
            List<Map<String, Object>> loaders = initContainers.stream()
                    .filter(init -> maps(init, "volumeMounts").stream().anyMatch(m -> assetMount.get("name").equals(m.get("name")))).toList();
            assertEquals(1, loaders.size(), deployment + ": one init container fills the assets volume");
            Map<String, Object> loader = loaders.get(0);
            assertTrue(dockerfile.contains(" -t " + loader.get("image") + " assets"),
                    deployment + ": the init container runs the image Dockerfile.assets builds from assets/, not " + loader.get("image"));
            List<String> command = strings(loader, "command");
            assertEquals(Path.of(assets), Path.of(command.get(command.size() - 1)), deployment + ": the init container copies into CALIBRA_ASSETS");
        }
    }

    /** The mount of a container at exactly this path, or null. */
    private static Map<String, Object> mountAt(Map<String, Object> container, String path) {
        return maps(container, "volumeMounts").stream().filter(m -> path != null && Path.of(path).equals(Path.of((String) m.get("mountPath"))))
                .findFirst().orElse(null);
    }

    /**
     * Every ${CALIBRA_...} the service's application.properties reads is set (one variable of a fallback chain is
     * enough), or DEFAULT_FITS_CLUSTER accepts its default, or it is OBJECT_STORE_ONLY and the store is not in S3.
     */
    private static void assertSetsEveryVariableItReads(ComposeService service, Manifest deployment, Map<String, String> env) throws IOException {
        Path properties = service.module().resolve("src/main/resources/application.properties");
        boolean s3 = env.getOrDefault("CALIBRA_ARTIFACT_STORE", "").startsWith("s3://");
        for (List<String> chain : readVariables(properties)) {
            String last = chain.get(chain.size() - 1);
            assertTrue(chain.stream().anyMatch(env::containsKey) || DEFAULT_FITS_CLUSTER.contains(last) || (!s3 && OBJECT_STORE_ONLY.contains(last)),
                    service.name() + " reads ${" + String.join(", else ", chain) + "} (" + ROOT.relativize(properties) + ") but " + deployment
                            + " neither sets it nor does KubernetesManifestsTest.DEFAULT_FITS_CLUSTER accept its default");
        }
    }

    /** Keys, passwords, secrets and tokens come from Secrets: never a literal, never a ConfigMap entry. */
    private static void assertNoLiteralSecrets(List<Manifest> manifests, Manifest deployment, Map<String, Object> container) {
        Pattern secret = Pattern.compile(".*(KEY|PASSWORD|SECRET|TOKEN).*");
        for (Map<String, Object> variable : maps(container, "env")) {
            String name = (String) variable.get("name");
            if (secret.matcher(name).matches()) {
                assertFalse(variable.containsKey("value"), deployment + ": " + name + " must come from a Secret, not a literal");
            }
        }
        for (Map<String, Object> from : maps(container, "envFrom")) {
            Manifest configMap = find(manifests, "ConfigMap", (String) map(from, "configMapRef").get("name"));
            for (String name : map(configMap.body(), "data").keySet()) {
                assertFalse(secret.matcher(name).matches(), configMap + ": " + name + " belongs in a Secret");
            }
        }
    }

    private static Optional<Path> kubectl() {
        return Stream.of("/usr/bin/kubectl", "/usr/local/bin/kubectl").map(Path::of).filter(Files::isExecutable).findFirst();
    }

    private static List<Map<String, Object>> kubectlKustomize(Path kubectl, Path folder) throws Exception {
        String shown = ROOT.relativize(folder).toString();
        Process process = new ProcessBuilder(kubectl.toString(), "kustomize", folder.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize " + shown + " hung");
        assertEquals(0, process.exitValue(), "kubectl kustomize " + shown + ":\n" + output);
        List<Map<String, Object>> objects = new ArrayList<>();
        new Yaml().loadAll(output).forEach(o -> objects.add(asMap(o)));
        return objects;
    }

    // ---- rendering without kubectl ----

    /** The patch merge key of the lists the patches here merge into (Kubernetes' own); other lists are replaced. */
    private static final Map<String, String> MERGE_KEYS = Map.of("containers", "name", "initContainers", "name", "env", "name",
            "volumes", "name", "volumeMounts", "mountPath", "ports", "containerPort");

    /**
     * What `kustomize build folder` gives, for the features the object-storage overlay uses: resources (files and
     * kustomization folders), components, strategic-merge patch files matched on kind and name ($patch: delete of an
     * object or a list item, null deletes a key, lists merged on MERGE_KEYS), namespace. Anything else fails, so that
     * a new feature is added here (and checked against kubectl) before a check relies on it.
     */
    private static List<Manifest> kustomize(Path folder) throws IOException {
        List<Manifest> objects = new ArrayList<>();
        build(folder, objects);
        return objects;
    }

    private static void build(Path folder, List<Manifest> objects) throws IOException {
        Map<String, Object> kustomization = load(folder.resolve("kustomization.yaml")).get(0).body();
        Set<String> supported = Set.of("apiVersion", "kind", "namespace", "resources", "components", "patches");
        assertTrue(supported.containsAll(kustomization.keySet()), folder + ": kustomize() renders only " + supported);
        for (String resource : strings(kustomization, "resources")) {
            Path target = folder.resolve(resource).normalize();
            objects.addAll(Files.isDirectory(target) ? kustomize(target) : load(target));
        }
        for (String component : strings(kustomization, "components")) {
            build(folder.resolve(component).normalize(), objects);
        }
        for (Map<String, Object> patch : maps(kustomization, "patches")) {
            assertEquals(Set.of("path"), patch.keySet(), folder + ": kustomize() applies strategic-merge patch files only");
            for (Manifest document : load(folder.resolve((String) patch.get("path")))) {
                int at = objects.indexOf(find(objects, document.kind(), document.name()));
                if ("delete".equals(document.body().get("$patch"))) {
                    objects.remove(at);
                } else {
                    objects.set(at, new Manifest(objects.get(at).file(), asMap(merge("", objects.get(at).body(), document.body()))));
                }
            }
        }
        if (kustomization.get("namespace") instanceof String namespace) {
            objects.replaceAll(object -> {
                if (object.kind().equals("Namespace")) {
                    return object;
                }
                Map<String, Object> body = new LinkedHashMap<>(object.body());
                Map<String, Object> metadata = new LinkedHashMap<>(map(body, "metadata"));
                metadata.put("namespace", namespace);
                body.put("metadata", metadata);
                return new Manifest(object.file(), body);
            });
        }
    }

    /** The strategic merge of patch into target, under the key field (neither is changed). */
    private static Object merge(String field, Object target, Object patch) {
        if (target instanceof Map<?, ?> && patch instanceof Map<?, ?>) {
            Map<String, Object> merged = new LinkedHashMap<>(asMap(target));
            asMap(patch).forEach((key, value) -> {
                if (value == null) {
                    merged.remove(key);
                } else {
                    merged.put(key, merge(key, merged.get(key), value));
                }
            });
            return merged;
        }
        String key = MERGE_KEYS.get(field);
        if (key == null || !(target instanceof List<?> targetList) || !(patch instanceof List<?> patchList)) {
            return patch;
        }
        // As kustomize orders them: the patch's items first, then the target's items the patch does not name.
        List<Map<String, Object>> existing = targetList.stream().map(KubernetesManifestsTest::asMap).toList();
        List<Object> merged = new ArrayList<>();
        Set<Object> named = new HashSet<>();
        for (Object item : patchList) {
            Map<String, Object> entry = asMap(item);
            Object id = entry.get(key);
            assertNotNull(id, field + ": an item without its merge key " + key + ": " + entry);
            named.add(id);
            Optional<Map<String, Object>> old = existing.stream().filter(e -> id.equals(e.get(key))).findFirst();
            if ("delete".equals(entry.get("$patch"))) {
                // kustomize ignores a delete that matches nothing; here it means the base changed under the patch.
                assertTrue(old.isPresent(), field + ": $patch: delete of " + key + " " + id + " matches nothing");
            } else {
                merged.add(old.isPresent() ? merge(field, old.get(), entry) : entry);
            }
        }
        existing.stream().filter(e -> !named.contains(e.get(key))).forEach(merged::add);
        return merged;
    }

    // ---- reading the tree ----

    private static List<Manifest> manifests(Path folder) throws IOException {
        List<Manifest> all = new ArrayList<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(KubernetesManifestsTest::isYaml).sorted().toList()) {
                all.addAll(load(file));
            }
        }
        return all;
    }

    private static List<Manifest> load(Path file) throws IOException {
        List<Manifest> documents = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file)) {
            for (Object document : new Yaml().loadAll(reader)) {
                if (document != null) {
                    assertTrue(document instanceof Map, file + ": a document that is not a mapping");
                    documents.add(new Manifest(file, asMap(document)));
                }
            }
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            fail(file + " does not parse: " + e.getMessage());
        }
        assertFalse(documents.isEmpty(), file + " holds no document");
        return documents;
    }

    private static boolean isYaml(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file) && (name.endsWith(".yaml") || name.endsWith(".yml"));
    }

    private static Manifest find(List<Manifest> manifests, String kind, String name) {
        List<Manifest> found = manifests.stream().filter(m -> kind.equals(m.kind()) && name.equals(m.name())).toList();
        assertEquals(1, found.size(), "expected exactly one " + kind + "/" + name + ", found " + found);
        return found.get(0);
    }

    private static Map<String, Object> composeRoot() throws IOException {
        return asMap(new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml"))));
    }

    /** The compose services built from a module (all but postgres), by compose name. */
    private static Map<String, ComposeService> composeServices() throws IOException {
        Map<String, ComposeService> services = new LinkedHashMap<>();
        for (var entry : map(composeRoot(), "services").entrySet()) {
            Map<String, Object> service = asMap(entry.getValue());
            if (service.get("build") instanceof Map<?, ?> build) {
                Path module = ROOT.resolve((String) build.get("context")).normalize();
                services.put(entry.getKey(), new ComposeService(entry.getKey(), module, (String) service.get("image"),
                        map(service, "environment")));
            }
        }
        return services;
    }

    private static int defaultPort(ComposeService service) throws IOException {
        Path properties = service.module().resolve("src/main/resources/application.properties");
        Matcher matcher = HTTP_PORT.matcher(Files.readString(properties));
        assertTrue(matcher.find(), properties + ": no quarkus.http.port=${CALIBRA_PORT:...}");
        return Integer.parseInt(matcher.group(1));
    }

    /**
     * ${CALIBRA_...} variables of the properties every profile uses (not %test. or %dev. lines), each with its
     * fallbacks: ${CALIBRA_ARTIFACT_STORE:${CALIBRA_ARTIFACTS:...}} gives [CALIBRA_ARTIFACT_STORE, CALIBRA_ARTIFACTS].
     */
    private static List<List<String>> readVariables(Path properties) throws IOException {
        List<List<String>> chains = new ArrayList<>();
        for (String line : Files.readAllLines(properties)) {
            String trimmed = line.strip();
            if (!trimmed.startsWith("#") && !trimmed.startsWith("%")) {
                Matcher matcher = PROPERTY_VARIABLE.matcher(trimmed);
                while (matcher.find()) {
                    chains.add(List.of(matcher.group(1).split(":\\$\\{")));
                }
            }
        }
        assertFalse(chains.isEmpty(), properties + " reads no CALIBRA_ variable");
        return chains;
    }

    private static Set<String> workerJobTypes(Path module) throws IOException {
        Set<String> types = new TreeSet<>();
        try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
            for (Path file : files.filter(f -> f.getParent().getFileName().toString().equals("worker") && f.toString().endsWith(".java")).toList()) {
                types.addAll(matches(WORKER_JOB_TYPE, Files.readString(file)));
            }
        }
        return types;
    }

    private static String migrations() throws IOException {
        StringBuilder schema = new StringBuilder();
        try (Stream<Path> files = Files.list(ROOT.resolve("registry/src/main/resources/db/migration"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".sql")).sorted().toList()) {
                schema.append(Files.readString(file)).append('\n');
            }
        }
        return schema.toString();
    }

    /** The container's literal variables plus those of the ConfigMaps it takes whole (envFrom). */
    private static Map<String, String> environment(List<Manifest> manifests, Map<String, Object> container) {
        Map<String, String> env = new HashMap<>();
        for (Map<String, Object> from : maps(container, "envFrom")) {
            String configMap = (String) map(from, "configMapRef").get("name");
            map(find(manifests, "ConfigMap", configMap).body(), "data").forEach((k, v) -> env.put(k, String.valueOf(v)));
        }
        for (Map<String, Object> variable : maps(container, "env")) {
            env.put((String) variable.get("name"), variable.containsKey("value") ? String.valueOf(variable.get("value")) : "<secret>");
        }
        return env;
    }

    /** Variable name -> {name, key} of the Secret it comes from. */
    private static Map<String, Map<String, String>> secretRefs(Map<String, Object> container) {
        Map<String, Map<String, String>> refs = new HashMap<>();
        for (Map<String, Object> variable : maps(container, "env")) {
            if (variable.get("valueFrom") instanceof Map<?, ?> from && from.get("secretKeyRef") instanceof Map<?, ?> ref) {
                refs.put((String) variable.get("name"), Map.of("name", (String) ref.get("name"), "key", (String) ref.get("key")));
            }
        }
        return refs;
    }

    private static void assertProbe(Manifest deployment, Map<String, Object> container, String probe, String path, int port,
            Map<String, Integer> ports) {
        assertTrue(container.get(probe) instanceof Map, deployment + ": no " + probe);
        Map<String, Object> httpGet = map(container, probe, "httpGet");
        assertEquals(path, httpGet.get("path"), deployment + ": " + probe + " path");
        assertEquals(port, resolvePort(httpGet.get("port"), ports), deployment + ": " + probe + " port");
    }

    private static int resolvePort(Object port, Map<String, Integer> named) {
        if (port instanceof Integer number) {
            return number;
        }
        Integer resolved = named.get((String) port);
        assertNotNull(resolved, "port name " + port + " is not a container port " + named.keySet());
        return resolved;
    }

    /** A Kubernetes quantity ("500m", "2", "1Gi", "512Mi") as a number of cores or bytes. */
    static double quantity(Object value) {
        String text = String.valueOf(value);
        Matcher matcher = Pattern.compile("(\\d+(?:\\.\\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?").matcher(text);
        assertTrue(matcher.matches(), "not a quantity: " + text);
        double number = Double.parseDouble(matcher.group(1));
        String suffix = Objects.requireNonNullElse(matcher.group(2), "");
        return number * switch (suffix) {
            case "" -> 1;
            case "m" -> 1e-3;
            case "k" -> 1e3;
            case "M" -> 1e6;
            case "G" -> 1e9;
            case "T" -> 1e12;
            case "Ki" -> 1024.0;
            case "Mi" -> Math.pow(1024, 2);
            case "Gi" -> Math.pow(1024, 3);
            case "Ti" -> Math.pow(1024, 4);
            default -> throw new IllegalArgumentException("quantity suffix " + suffix);
        };
    }

    private static Set<String> matches(Pattern pattern, String text) {
        Set<String> found = new TreeSet<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }

    // ---- walking parsed YAML ----

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        assertTrue(value instanceof Map, "expected a mapping, got " + value);
        return (Map<String, Object>) value;
    }

    /** The mapping at a path of keys; an absent key reads as an empty mapping. */
    private static Map<String, Object> map(Map<String, Object> from, String... path) {
        Map<String, Object> current = from;
        for (String key : path) {
            Object next = current.get(key);
            current = next == null ? Map.of() : asMap(next);
        }
        return current;
    }

    /** The list of mappings under a key; absent reads as empty. */
    private static List<Map<String, Object>> maps(Map<String, Object> from, String key) {
        Object value = from.get(key);
        if (value == null) {
            return List.of();
        }
        assertTrue(value instanceof List, key + " is not a list: " + value);
        return ((List<?>) value).stream().map(KubernetesManifestsTest::asMap).toList();
    }

    private static List<String> strings(Map<String, Object> from, String key) {
        Object value = from.get(key);
        if (value == null) {
            return List.of();
        }
        assertTrue(value instanceof List, key + " is not a list: " + value);
        return ((List<?>) value).stream().map(String::valueOf).toList();
    }
}
