package io.streamlearn.core.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A secured client listener for a {@link KraftNode}: SASL_SSL with SCRAM-SHA-512, Kafka's standard authorizer and
 * no access without an ACL, so tests run the platform as a hardened cluster would. The SCRAM users (the super user
 * among them) are written into the metadata log when the node is formatted ({@code kafka-storage format
 * --add-scram}), so they exist before the first client connects.
 *
 * @param keystore PKCS#12 keystore of the broker's key and certificate (a SAN for {@link KraftNode#HOST})
 * @param truststore PKCS#12 truststore holding the CA that signed it; clients trust it too
 * @param storePassword password of both stores and of the key
 * @param superUser the user whose principal may do everything (creating topics and ACLs)
 * @param users every SCRAM user by name with its password, the super user included
 */
public record BrokerSecurity(Path keystore, Path truststore, String storePassword, String superUser,
        Map<String, String> users) {
    /** The one SASL mechanism the listener enables. */
    public static final String MECHANISM = "SCRAM-SHA-512";
    /** The name of the secured client listener (and its security protocol). */
    public static final String LISTENER = "SASL_SSL";

    public BrokerSecurity {
        if (!Files.isRegularFile(keystore) || !Files.isRegularFile(truststore)) {
            throw new IllegalArgumentException("keystore " + keystore + " and truststore " + truststore
                    + " must both exist");
        }
        users = Map.copyOf(users);
        if (!users.containsKey(superUser)) {
            throw new IllegalArgumentException("super user " + superUser + " has no password in users " + users.keySet());
        }
    }

    /**
     * The broker settings over {@link KraftNode#properties}: the client listener on {@code port} becomes SASL_SSL,
     * the brokers talk SCRAM among themselves as the super user, and the standard authorizer denies what no ACL
     * allows.
     */
    public Map<String, String> brokerProperties(int port, int controllerPort) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("listeners", LISTENER + "://" + KraftNode.HOST + ":" + port + ",CONTROLLER://" + KraftNode.HOST + ":"
                + controllerPort);
        p.put("advertised.listeners", LISTENER + "://" + KraftNode.HOST + ":" + port);
        p.put("listener.security.protocol.map", LISTENER + ":SASL_SSL,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", LISTENER);
        p.put("sasl.enabled.mechanisms", MECHANISM);
        p.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", jaas(superUser, users.get(superUser)));
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.location", keystore.toString());
        p.put("ssl.keystore.password", storePassword);
        p.put("ssl.key.password", storePassword);
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.location", truststore.toString());
        p.put("ssl.truststore.password", storePassword);
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("allow.everyone.if.no.acl.found", "false");
        // The controller listener stays PLAINTEXT on 127.0.0.1, where the broker half of the node calls its controller
        // half as ANONYMOUS; that principal exists on no other listener, so no client can become it.
        p.put("super.users", "User:" + superUser + ";User:ANONYMOUS");
        return p;
    }

    /** The {@code --add-scram} arguments of the format step: one SCRAM-SHA-512 credential per user. */
    public List<String> scramArguments() {
        List<String> out = new ArrayList<>();
        users.forEach((name, password) -> out.add(MECHANISM + "=[name=" + name + ",password=" + password + "]"));
        return out;
    }

    /** The client properties (what a {@code --kafka-config} file holds) for {@code user} with its password. */
    public Map<String, String> clientProperties(String user) {
        String password = users.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no SCRAM user " + user + ": the broker knows " + users.keySet());
        }
        return clientProperties(user, password);
    }

    /** The client properties for any name and password, known to the broker or not (to test refusals). */
    public Map<String, String> clientProperties(String user, String password) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", LISTENER);
        p.put("sasl.mechanism", MECHANISM);
        p.put("sasl.jaas.config", jaas(user, password));
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.location", truststore.toString());
        p.put("ssl.truststore.password", storePassword);
        return p;
    }

    /** Names the stores and users, never a password: a failing test prints it. */
    @Override
    public String toString() {
        return "BrokerSecurity[" + LISTENER + "/" + MECHANISM + ", keystore " + keystore + ", truststore " + truststore
                + ", super user " + superUser + ", users " + users.keySet() + "]";
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }
}
