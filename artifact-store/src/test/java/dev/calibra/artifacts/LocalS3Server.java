package dev.calibra.artifacts;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 server in this JVM: S3Proxy on 127.0.0.1 (a free port), keeping buckets as folders under a test's
 * temporary folder (jclouds' "filesystem-nio2" provider, metadata in extended attributes), checking AWS signatures.
 */
public final class LocalS3Server implements AutoCloseable {

    public static final String ACCESS_KEY_ID = "calibra-test";
    public static final String SECRET_ACCESS_KEY = "calibra-test-secret";

    private final BlobStoreContext context;
    private final S3Proxy proxy;

    public LocalS3Server(Path folder) throws Exception {
        Properties overrides = new Properties();
        overrides.setProperty("jclouds.filesystem.basedir", Files.createDirectories(folder).toString());
        context = ContextBuilder.newBuilder("filesystem-nio2").credentials("local", "local").overrides(overrides).build(BlobStoreContext.class);
        proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY_ID, SECRET_ACCESS_KEY)
                .build();
        proxy.start();
        for (int waited = 0; !"STARTED".equals(proxy.getState()); waited++) {
            if (waited > 500) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
