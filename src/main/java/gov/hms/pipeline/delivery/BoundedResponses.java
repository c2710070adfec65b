package gov.hms.pipeline.delivery;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.EofSensorInputStream;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

/**
 * Reads at most {@value #LIMIT} bytes of the body of any answer from a target or subscriber: all the
 * service needs of it is an excerpt for a failure's reason. camel-http would otherwise read the whole
 * body into memory (and into the failure's {@code HttpOperationFailedException}): a system answering
 * with a huge or endless body held its deployment for good (an {@code OutOfMemoryError} under a small
 * heap, nothing logged). A body cut short ends its connection ({@link EofSensorInputStream#abort()})
 * instead of being drained, so the connection is not reused. An answer that declares a length within the
 * limit is left unwrapped: wrapping every answer cost 0.3-0.45 ms of CPU per deployment (BENCHMARKS.md).
 * Installed by {@link OutboundHttpClient}.
 */
final class BoundedResponses {

    /** Bytes of an answer's body read at most. */
    static final int LIMIT = 64 * 1024;

    private BoundedResponses() {
    }

    /** Wraps every answer's body; first in the chain, so the body seen is the connection's stream. */
    static void install(HttpClientBuilder builder) {
        builder.addExecInterceptorFirst("bounded-response-body", (request, scope, chain) -> {
            ClassicHttpResponse response = chain.proceed(request, scope);
            HttpEntity entity = response.getEntity();
            // A body whose declared length is within the limit is read as it is: no wrapper on the hot path.
            if (entity != null && (entity.getContentLength() < 0 || entity.getContentLength() > LIMIT)) {
                response.setEntity(new Bounded(entity));
            }
            return response;
        });
    }

    /** The answer's body, cut at {@link #LIMIT}. */
    private static final class Bounded extends HttpEntityWrapper {

        private BoundedStream content;

        Bounded(HttpEntity wrapped) {
            super(wrapped);
        }

        @Override
        public synchronized InputStream getContent() throws IOException {
            if (content == null) {
                InputStream raw = super.getContent();
                content = raw == null ? null : new BoundedStream(raw);
            }
            return content;
        }

        @Override
        public long getContentLength() {
            long length = super.getContentLength();
            return length > LIMIT ? -1 : length;
        }

        @Override
        public boolean isRepeatable() {
            return false;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            try (InputStream in = getContent()) {
                if (in != null) {
                    in.transferTo(out);
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (content != null) {
                content.close();
            }
            super.close();
        }
    }

    /** Ends at {@link #LIMIT}; closed early, it aborts the connection rather than read the rest. */
    private static final class BoundedStream extends FilterInputStream {

        private long remaining = LIMIT;
        private boolean cut;
        private boolean closed;

        BoundedStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return end();
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (remaining <= 0) {
                return end();
            }
            int read = in.read(buffer, offset, (int) Math.min(length, remaining));
            if (read > 0) {
                remaining -= read;
            }
            return read;
        }

        /** At the limit: the body goes on if one more byte comes. */
        private int end() throws IOException {
            if (!cut && !closed && in.read() >= 0) {
                cut = true;
            }
            return -1;
        }

        @Override
        public long skip(long n) throws IOException {
            return super.skip(Math.min(n, Math.max(remaining, 0)));
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(super.available(), Math.max(remaining, 0));
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if ((cut || remaining <= 0) && in instanceof EofSensorInputStream sensor) {
                sensor.abort();
            } else {
                in.close();
            }
        }
    }
}
