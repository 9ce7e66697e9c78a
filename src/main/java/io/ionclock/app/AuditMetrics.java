package io.ionclock.app;

import io.ionclock.adapter.storage.AuditLog;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.function.ToDoubleFunction;

/**
 * The audit log's counters. Prometheus: {@code ionclock_audit_records_total} (records written),
 * {@code ionclock_audit_dropped_total} (events dropped because the queue was full),
 * {@code ionclock_audit_write_errors_total}, and the audit gap (M8): {@code ionclock_audit_gap_records} (records lost
 * and not yet recorded by an {@code audit_gap} record) and {@code ionclock_audit_gap_seconds} (time since the first
 * such loss; 0 when none).
 */
@Singleton
public class AuditMetrics implements MeterBinder {
    @Inject
    AuditService audit;

    private ToDoubleFunction<AuditService> of(ToDoubleFunction<AuditLog> f) {
        return s -> s.log().map(f::applyAsDouble).orElse(0.0);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("ionclock.audit.records", audit, of(l -> l.recordsWritten()))
                .description("Audit records written (each fsynced)").register(registry);
        FunctionCounter.builder("ionclock.audit.dropped", audit, of(l -> l.dropped()))
                .description("Audit events dropped because the writer's queue was full").register(registry);
        FunctionCounter.builder("ionclock.audit.write.errors", audit, of(l -> l.writeErrors()))
                .description("Audit writes the disk refused (the records are lost and the gap recorded later)")
                .register(registry);
        Gauge.builder("ionclock.audit.gap.records", audit, of(l -> l.gapRecords()))
                .description("Audit records lost and not yet recorded by an audit_gap record").register(registry);
        Gauge.builder("ionclock.audit.gap", audit, of(AuditLog::gapSeconds)).baseUnit("seconds")
                .description("The audit gap (M8): time since the first audit record lost and not yet recorded")
                .register(registry);
    }
}
