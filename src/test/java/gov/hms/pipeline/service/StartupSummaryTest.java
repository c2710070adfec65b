package gov.hms.pipeline.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class StartupSummaryTest {

    @Test
    void theDataFolderIsTheDeepestFolderHoldingEveryStore() {
        assertThat(StartupSummary.dataFolder(List.of(Path.of("/srv/p/data/audit"), Path.of("/srv/p/data/inbox"),
                Path.of("/srv/p/data/broker")))).isEqualTo("/srv/p/data");
        assertThat(StartupSummary.dataFolder(List.of(Path.of("/srv/p/data/audit")))).isEqualTo("/srv/p/data/audit");
    }

    @Test
    void storesThatShareOnlyTheRootAreEachNamed() {
        assertThat(StartupSummary.dataFolder(List.of(Path.of("/var/audit"), Path.of("/srv/inbox"))))
                .isEqualTo("[/srv/inbox, /var/audit]");
    }

    @Test
    void urlsLoseUserInformationQueryAndFragment() {
        assertThat(StartupSummary.withoutCredentials("https://svc:s3cret@live.example/packages?token=abc#x"))
                .isEqualTo("https://live.example/packages");
        assertThat(StartupSummary.withoutCredentials("http://localhost:8080/registry/packages"))
                .isEqualTo("http://localhost:8080/registry/packages");
    }

    @Test
    void endpointsAreListedByNameDisabledOnesMarked() {
        Map<String, String> urls = new TreeMap<>(Map.of("zeta", "http://z/p", "alpha", "http://u:p@a/p", "off", "http://o"));
        assertThat(StartupSummary.endpoints(urls, url -> !url.equals("http://o"), url -> url))
                .isEqualTo("alpha=http://a/p off (disabled) zeta=http://z/p");
        assertThat(StartupSummary.endpoints(Map.<String, String>of(), url -> true, url -> url)).isEqualTo("none");
    }
}
