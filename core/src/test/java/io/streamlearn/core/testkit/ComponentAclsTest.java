package io.streamlearn.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.testkit.ComponentAcls.Component;
import io.streamlearn.core.testkit.ComponentAcls.Names;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** docs/deploy.md lists exactly the ACLs that the secured end-to-end test grants, and they are least privilege. */
class ComponentAclsTest {
    private static final Path DEPLOY = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/deploy.md");

    @Test
    void deployMdShowsTheAclsOfEveryComponent() throws Exception {
        String doc = Files.readString(DEPLOY);
        List<String> expected = new ArrayList<>();
        for (Component c : Component.values()) {
            expected.add("# " + c.user());
            expected.addAll(ComponentAcls.commands(ComponentAcls.of(c, c.user(), Names.defaults("MODEL"))));
        }
        String block = String.join("\n", expected);
        assertThat(doc).as("docs/deploy.md must show the ACL set as ComponentAcls renders it:\n" + block)
                .contains(block);
    }

    @Test
    void onlyTheTrainerPromoteAndTheMonitorMayWriteTheModelsTopic() {
        Names names = Names.defaults("m");
        for (Component c : Component.values()) {
            boolean writesModels = ComponentAcls.of(c, c.user(), names).stream().anyMatch(b -> writes(b,
                    names.topics().models()));
            assertThat(writesModels).as(c + " writes the models topic")
                    .isEqualTo(c == Component.TRAINER || c == Component.PROMOTE || c == Component.MONITOR);
        }
    }

    private static boolean writes(AclBinding b, String topic) {
        return b.pattern().resourceType() == ResourceType.TOPIC && b.pattern().name().equals(topic)
                && b.entry().operation() == AclOperation.WRITE;
    }
}
