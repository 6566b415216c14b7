import com.sun.tools.attach.VirtualMachine;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * What a running local broker spends its time on, over a window: CPU per thread group (request
 * handlers, network threads, coordinators, marker senders...), requests per second by type, and the
 * broker-side time of the transaction path's requests (mean and p99 since the broker started, split
 * into queue, local, remote and send time). It attaches to the broker's JVM by pid (same user, no
 * JMX port needed). Run by deploy/local/kafka/metrics.sh; `java BrokerMetrics.java <pid> <seconds>`.
 */
public class BrokerMetrics {
  private static final String[] TIMED_REQUESTS = {
    "Produce", "AddPartitionsToTxn", "AddOffsetsToTxn", "TxnOffsetCommit", "EndTxn", "WriteTxnMarkers", "FetchConsumer", "OffsetCommit"
  };
  private static final String[] TIME_PARTS = {
    "TotalTimeMs", "RequestQueueTimeMs", "LocalTimeMs", "RemoteTimeMs", "ResponseQueueTimeMs", "ResponseSendTimeMs"
  };

  public static void main(String[] args) throws Exception {
    VirtualMachine vm = VirtualMachine.attach(args[0]);
    long seconds = Long.parseLong(args[1]);
    MBeanServerConnection server =
        JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent())).getMBeanServerConnection();
    ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(server, ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);
    Map<Long, Long> cpuBefore = new HashMap<>();
    Map<Long, String> names = new HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      cpuBefore.put(id, threads.getThreadCpuTime(id));
      ThreadInfo info = threads.getThreadInfo(id);
      if (info != null) names.put(id, info.getThreadName());
    }
    Map<String, Long> requestsBefore = requestCounts(server);
    Thread.sleep(seconds * 1000);
    Map<String, Long> requestsAfter = requestCounts(server);

    Map<String, Long> cpuByGroup = new TreeMap<>();
    long total = 0;
    for (long id : threads.getAllThreadIds()) {
      long used = threads.getThreadCpuTime(id) - cpuBefore.getOrDefault(id, 0L);
      ThreadInfo info = threads.getThreadInfo(id);
      String name = names.getOrDefault(id, info == null ? "?" : info.getThreadName());
      cpuByGroup.merge(name.replaceAll("[0-9]+", "#"), used, Long::sum);
      total += used;
    }
    System.out.printf("Java threads' CPU: %.1f%% of a core over %d s (GC and JIT threads are not Java threads: compare with ps)%n", percentOfCore(total, seconds), seconds);
    cpuByGroup.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .limit(12)
        .forEach(e -> System.out.printf("  %6.1f%%  %s%n", percentOfCore(e.getValue(), seconds), e.getKey()));
    System.out.println("Requests per second:");
    requestsAfter.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - requestsBefore.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(e -> System.out.printf("  %9.1f  %s%n", e.getValue() / (double) seconds, e.getKey()));
    System.out.println("Broker-side time in ms, mean/p99 since start (total, request queue, local, remote, response queue, send):");
    for (String request : TIMED_REQUESTS) {
      StringBuilder line = new StringBuilder(String.format("  %-19s", request));
      for (String part : TIME_PARTS) {
        ObjectName name = new ObjectName("kafka.network:type=RequestMetrics,name=" + part + ",request=" + request);
        if (!server.isRegistered(name)) {
          line.append("      -");
          continue;
        }
        double mean = ((Number) server.getAttribute(name, "Mean")).doubleValue();
        double p99 = ((Number) server.getAttribute(name, "99thPercentile")).doubleValue();
        line.append(String.format(" %5.1f/%-4.0f", mean, p99));
      }
      System.out.println(line);
    }
    vm.detach();
  }

  private static double percentOfCore(long nanos, long seconds) {
    return nanos / 1e7 / seconds;
  }

  private static Map<String, Long> requestCounts(MBeanServerConnection server) throws Exception {
    Map<String, Long> counts = new HashMap<>();
    for (ObjectName name : server.queryNames(new ObjectName("kafka.network:type=RequestMetrics,name=RequestsPerSec,*"), null)) {
      counts.merge(name.getKeyProperty("request"), ((Number) server.getAttribute(name, "Count")).longValue(), Long::sum);
    }
    return counts;
  }
}
