package app;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * The pipeline as {@code run} starts it, on a thread of its own, so that its caller can drive and
 * watch it. Closing it stops it as Ctrl-C does: routes first, then the embedded services.
 */
public final class BackgroundPipeline implements AutoCloseable {

    private final Main main;
    private final CompletableFuture<CamelContext> started = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    private BackgroundPipeline(Map<String, String> overrides) {
        main = Pipeline.newMain(overrides);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStart(BaseMainSupport running) {
                started.complete(running.getCamelContext());
            }
        });
        Thread thread = new Thread(() -> {
            try {
                main.run();
                stopped.complete(null);
            } catch (Exception | Error e) {
                started.completeExceptionally(e);
                stopped.completeExceptionally(e);
            } finally {
                // Main may also end quietly with an exit code when it fails to start.
                started.completeExceptionally(new IllegalStateException(
                        "The pipeline stopped before it started, exit code " + main.getExitCode()));
            }
        }, "pipeline");
        thread.start();
    }

    /** Starts the pipeline and waits until its routes run; a failed start is thrown as it happened. */
    public static BackgroundPipeline start(Map<String, String> overrides, Duration timeout) throws Exception {
        BackgroundPipeline pipeline = new BackgroundPipeline(overrides);
        try {
            pipeline.started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return pipeline;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (Exception e) {
            pipeline.close();
            throw e;
        }
    }

    public CamelContext context() {
        return started.join();
    }

    public <T> T bean(String name, Class<T> type) {
        // By name, then the type: a configuration class binds a bean as the type its method declares (Warehouse, say).
        Object bean = context().getRegistry().lookupByName(name);
        if (!type.isInstance(bean)) {
            throw new IllegalStateException("The pipeline has no bean " + name + " of type " + type.getSimpleName());
        }
        return type.cast(bean);
    }

    /** A property as the pipeline resolved it, including those its wiring found out (the embedded services' addresses). */
    public String property(String key) {
        return context().getPropertiesComponent().resolveProperty(key)
                .orElseThrow(() -> new IllegalStateException("The pipeline has no property " + key));
    }

    @Override
    public void close() throws Exception {
        main.completed();
        try {
            stopped.get(2, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
