package io.liveboard.http;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import org.eclipse.jetty.http.CompressedContentFormat;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.http.content.HttpContent;

/**
 * Gives each file a strong ETag made from its bytes (SHA-256). Jetty's own is made from the file's name, time and
 * length, and the entries of a jar can all carry one time: a new jar whose file kept its length would keep its
 * ETag, and a browser revalidating it would be told 304 and keep the old file. The files have no precompressed
 * variants ({@code app.js.gz}): compression is done as they are sent.
 */
final class ContentHashEtags implements HttpContent.Factory {

    private static final int HASH_BYTES = 16;

    private final HttpContent.Factory files;

    ContentHashEtags(HttpContent.Factory files) {
        this.files = files;
    }

    @Override
    public HttpContent getContent(String path) throws IOException {
        HttpContent content = files.getContent(path);
        if (content == null || content.getResource() == null || content.getResource().isDirectory()) {
            return content;
        }
        HttpField etag = new PreEncodedHttpField(HttpHeader.ETAG, "\"" + hash(content) + "\"");
        return new HttpContent.Wrapper(content) {
            @Override
            public HttpField getETag() {
                return etag;
            }

            @Override
            public String getETagValue() {
                return etag.getValue();
            }

            /** None: else Jetty replaces the {@code Vary} header (and its {@code Origin}) with its own. */
            @Override
            public Set<CompressedContentFormat> getPreCompressedContentFormats() {
                return Set.of();
            }
        };
    }

    private static String hash(HttpContent content) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JDK has SHA-256", e);
        }
        byte[] full;
        try (InputStream in = content.getResource().newInputStream()) {
            full = digest.digest(in.readAllBytes());
        }
        // hex: Jetty takes what follows a '-' in an ETag for a compression suffix (as in "…--gzip")
        return HexFormat.of().formatHex(full, 0, HASH_BYTES);
    }
}
