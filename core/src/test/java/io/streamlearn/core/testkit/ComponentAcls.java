package io.streamlearn.core.testkit;

import io.streamlearn.core.kafka.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least-privilege ACL set of each component, exactly as {@code docs/deploy.md} lists it ({@link #commands}
 * renders the lines there, and {@code ComponentAclsTest} fails when the two differ): tests on a secured broker grant
 * these and nothing more, so a missing ACL fails a test before it fails a user.
 *
 * <pre>{@code
 * admin.createAcls(ComponentAcls.of(Component.TRAINER, "trainer", names)).all().get();
 * }</pre>
 */
public final class ComponentAcls {
    /** A component that talks to Kafka, with the principal name deploy.md gives it. */
    public enum Component {
        INGEST, TRAINER, SERVING, PROMOTE, REPORT, MONITOR, JOIN;

        /** The user name deploy.md gives the component's principal ({@code User:<name>}). */
        public String user() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The names the ACLs are on.
     *
     * @param topics the platform topics
     * @param trainerGroup the trainer's consumer group ({@code --group-id}; default {@code streamlearn-trainer-MODEL})
     * @param servingGroup serving's consumer group ({@code --group-id}; default {@code streamlearn-serving})
     * @param transactionalIdPrefix serving's {@code --transactional-id-prefix} (exactly-once mode)
     */
    public record Names(Topics topics, String trainerGroup, String servingGroup, String transactionalIdPrefix) {
        /** The defaults of every component for model {@code model}. */
        public static Names defaults(String model) {
            return new Names(new Topics(Topics.DEFAULT_PREFIX), "streamlearn-trainer-" + model, "streamlearn-serving",
                    "streamlearn-serving");
        }
    }

    private ComponentAcls() {}

    /** The ACLs of {@code component} for principal {@code User:<user>}. */
    public static List<AclBinding> of(Component component, String user, Names names) {
        Topics t = names.topics();
        List<AclBinding> out = new ArrayList<>();
        Grant g = new Grant("User:" + user, out);
        switch (component) {
            case INGEST -> g.topic(AclOperation.WRITE, t.examples(), t.examplesDlq());
            case TRAINER -> {
                g.topic(AclOperation.READ, t.examples());
                g.group(names.trainerGroup());
                g.topic(AclOperation.WRITE, t.examplesDlq(), t.models(), t.events());
            }
            case SERVING -> {
                g.topic(AclOperation.READ, t.requests(), t.models());
                g.group(names.servingGroup());
                g.topic(AclOperation.WRITE, t.predictions(), t.predictionsDlq(), t.shadowPredictions(),
                        t.events());
                // Exactly-once mode only: one transactional id per instance, all under the prefix.
                out.add(new AclBinding(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, names.transactionalIdPrefix(),
                        PatternType.PREFIXED), g.allow(AclOperation.WRITE)));
            }
            case PROMOTE -> g.topic(AclOperation.WRITE, t.models());
            case REPORT -> g.topic(AclOperation.READ, t.events());
            case MONITOR -> {
                g.topic(AclOperation.READ, t.predictions(), t.shadowPredictions(), t.feedback());
                // The models topic only for --promote and --rollback: the monitor announces promotions itself.
                g.topic(AclOperation.WRITE, t.events(), t.models());
            }
            case JOIN -> {
                // The label join's defaults (--group-id, --transactional-id-prefix of streamlearn join).
                g.topic(AclOperation.READ, t.requests(), t.feedback());
                g.group("streamlearn-join");
                g.topic(AclOperation.WRITE, t.examples(), t.feedbackDlq());
                out.add(new AclBinding(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, "streamlearn-join",
                        PatternType.PREFIXED), g.allow(AclOperation.WRITE)));
            }
            default -> throw new IllegalArgumentException("no ACLs for " + component);
        }
        return List.copyOf(out);
    }

    /**
     * {@code bin/kafka-acls.sh} command lines that create {@code acls}, as deploy.md shows them: run as a super user
     * with {@code --command-config admin.properties}.
     */
    public static List<String> commands(List<AclBinding> acls) {
        return acls.stream().map(ComponentAcls::command).toList();
    }

    private static String command(AclBinding b) {
        ResourcePattern r = b.pattern();
        String resource = switch (r.resourceType()) {
            case TOPIC -> "--topic " + r.name();
            case GROUP -> "--group " + r.name();
            case TRANSACTIONAL_ID -> "--transactional-id " + r.name();
            default -> throw new IllegalArgumentException("no command for " + r);
        };
        String pattern = r.patternType() == PatternType.PREFIXED ? " --resource-pattern-type prefixed" : "";
        return "kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config admin.properties --add "
                + "--allow-principal " + b.entry().principal() + " --operation " + operation(b.entry().operation())
                + " " + resource + pattern;
    }

    private static String operation(AclOperation op) {
        String n = op.name().toLowerCase(Locale.ROOT);
        return Character.toUpperCase(n.charAt(0)) + n.substring(1);
    }

    /** Adds allow-from-any-host bindings of one principal. */
    private record Grant(String principal, List<AclBinding> out) {
        AccessControlEntry allow(AclOperation op) {
            return new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW);
        }

        void topic(AclOperation op, String... topics) {
            for (String topic : topics) {
                out.add(new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL), allow(op)));
            }
        }

        void group(String group) {
            out.add(new AclBinding(new ResourcePattern(ResourceType.GROUP, group, PatternType.LITERAL),
                    allow(AclOperation.READ)));
        }
    }
}
