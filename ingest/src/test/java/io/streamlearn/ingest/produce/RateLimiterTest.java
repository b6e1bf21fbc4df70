package io.streamlearn.ingest.produce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    @Test
    void spacesPermitsEvenlyOnAHandDrivenClock() {
        AtomicLong now = new AtomicLong(1_000);
        List<Long> waits = new ArrayList<>();
        RateLimiter r = new RateLimiter(4, now::get, n -> {
            waits.add(n);
            now.addAndGet(n);
        });
        for (int i = 0; i < 5; i++) {
            r.acquire();
        }
        assertThat(waits).containsExactly(250_000_000L, 250_000_000L, 250_000_000L, 250_000_000L);
        assertThat(now.get()).isEqualTo(1_000 + 1_000_000_000L);
    }

    @Test
    void aLateCallerIsNotMadeToWait() {
        AtomicLong now = new AtomicLong();
        List<Long> waits = new ArrayList<>();
        RateLimiter r = new RateLimiter(10, now::get, waits::add);
        r.acquire();
        now.addAndGet(1_000_000_000L);
        for (int i = 0; i < 10; i++) {
            r.acquire();
        }
        assertThat(waits).isEmpty();
    }

    @Test
    void refusesANonPositiveRate() {
        assertThatThrownBy(() -> new RateLimiter(0, System::nanoTime, n -> { }))
                .hasMessageContaining("rate 0.0 must be a positive number of records per second");
    }
}
