package bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The most heap this JVM used while it was watched. Heap use peaks just before a collection, which a
 * periodic sample mostly misses: each collection's before-image is taken from its notification, and
 * samples cover the time between collections.
 */
public final class MemoryPeaks implements AutoCloseable {

    private final AtomicLong peakHeap = new AtomicLong();
    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener beforeCollection = (notification, handback) -> {
        if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            long used = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo()
                    .getMemoryUsageBeforeGc().entrySet().stream().filter(e -> heapPools.contains(e.getKey()))
                    .mapToLong(e -> e.getValue().getUsed()).sum();
            peakHeap.accumulateAndGet(used, Math::max);
        }
    };
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "heap-sampler");
        t.setDaemon(true);
        return t;
    });

    public MemoryPeaks() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(beforeCollection, null, null);
                emitters.add(emitter);
            }
        }
        sampler.scheduleAtFixedRate(this::sample, 0, 100, TimeUnit.MILLISECONDS);
    }

    private void sample() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        peakHeap.accumulateAndGet(heap.getUsed(), Math::max);
    }

    public long peakHeapBytes() {
        sample();
        return peakHeap.get();
    }

    /**
     * This JVM's peak resident set since it started ({@code VmHWM} in /proc/self/status): the pipeline,
     * the embedded Kafka broker and DuckDB, which all run in-process, but not the embedded PostgreSQL,
     * which runs in processes of its own. Empty where /proc is not there.
     */
    public static OptionalLong peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    // "VmHWM:   123456 kB": the kernel always reports it in kB.
                    return OptionalLong.of(Long.parseLong(line.replaceAll("\\D", "")) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Not Linux, or a kernel that words it otherwise: the figure is left out.
        }
        return OptionalLong.empty();
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(beforeCollection);
            } catch (javax.management.ListenerNotFoundException e) {
                // Never added to this one: nothing to remove.
            }
        }
    }
}
