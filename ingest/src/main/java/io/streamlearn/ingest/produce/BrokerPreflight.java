package io.streamlearn.ingest.produce;

import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Before an ingest run sends anything: fails fast when no broker answers within the timeout, and creates the
 * run's topics through {@link Topics#createMissing} when asked to, so the first send finds them served.
 */
final class BrokerPreflight {
    private final String bootstrapServers;
    private final Map<String, String> kafkaConfig;
    private final Duration timeout;

    BrokerPreflight(String bootstrapServers, Map<String, String> kafkaConfig, Duration timeout) {
        this.bootstrapServers = bootstrapServers;
        this.kafkaConfig = kafkaConfig;
        this.timeout = timeout;
    }

    /**
     * @param topicsToCreate created when missing, with the broker's defaults; empty to create nothing
     * @throws BrokerUnavailableException when the broker does not answer within the timeout
     * @throws IngestException            when a missing topic cannot be created
     */
    void check(List<String> topicsToCreate) {
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Map<String, String> adminOverrides = new LinkedHashMap<>();
        adminOverrides.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(ms));
        adminOverrides.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(Math.max(1, ms / 2)));
        adminOverrides.putAll(kafkaConfig);
        try (Admin admin = KafkaClients.admin(bootstrapServers, adminOverrides)) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms)).nodes().get(ms, TimeUnit.MILLISECONDS);
            if (topicsToCreate.isEmpty()) {
                return;
            }
            try {
                Topics.createMissing(admin, topicsToCreate, timeout);
            } catch (ExecutionException e) {
                throw new IngestException("topics " + topicsToCreate + " do not exist and cannot be created: "
                        + e.getCause().getMessage() + "; create them or pass a --topic that exists", e.getCause());
            }
        } catch (TimeoutException | ExecutionException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new BrokerUnavailableException("cannot reach the Kafka broker at " + bootstrapServers + " within "
                    + ms + " ms: " + cause + ". Check -b/--bootstrap-server and that the broker is running (and "
                    + "the -X security settings for a secured cluster)", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IngestException("interrupted while checking the broker at " + bootstrapServers, e);
        }
    }
}
