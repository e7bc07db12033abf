// The `--json` form of a probe result: one object per server with fixed, snake_case field names
// (listed in the manual), `null` where a phase was not reached, and keys sorted so that the same
// result always prints the same way.

import Foundation

extension ProbeResult {
  /// The result as one line of JSON.
  public func jsonLine() -> String {
    let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
    guard let data = try? JSONSerialization.data(withJSONObject: jsonObject(), options: options)
    else { return "{}" }
    return String(decoding: data, as: UTF8.self)
  }

  /// The result as JSON values.
  public func jsonObject() -> [String: Any] {
    [
      "target": target.rawValue,
      "url": endpoint.display,
      "healthy": healthy,
      "error_kind": firstErrorKind.map { $0.rawValue as Any } ?? NSNull(),
      "attempts": attempts,
      "phases": phases.map { phase -> [String: Any] in
        [
          "name": phase.name,
          "ok": phase.ok,
          "seconds": (phase.seconds * 1e6).rounded() / 1e6,
          "error_kind": phase.errorKind.map { $0.rawValue as Any } ?? NSNull(),
          "message": phase.message,
        ]
      },
      "addresses": addresses.map(\.ip),
      "resolver": resolver.map(Self.json) ?? NSNull(),
      "facts": facts.map(Self.json) ?? NSNull(),
      "write_test": writeTestSeries.map { ["series": $0] as Any } ?? NSNull(),
      "diagnosis": diagnosis.map { entry -> [String: Any] in
        [
          "kind": entry.kind.rawValue, "explanation": entry.explanation,
          "next_step": entry.nextStep,
        ]
      },
    ]
  }

  static func json(_ resolver: ResolverConfiguration) -> Any {
    [
      "source": resolver.source,
      "unreadable": resolver.unreadable.map { $0 as Any } ?? NSNull(),
      "nameservers": resolver.nameservers,
      "search": resolver.search,
      "ndots": resolver.ndots,
      "timeout": resolver.timeout,
      "attempts": resolver.attempts,
    ] as [String: Any]
  }

  static func json(_ facts: ServerFacts) -> Any {
    switch facts {
    case .vmagent(let queue):
      return [
        "queue_pending_bytes": queue.pendingBytes,
        "queue_pending_on_disk_bytes": queue.persistentPendingBytes,
        "dropped": queue.dropped,
        "dropped_total": queue.droppedTotal,
        "remote_write_requests_accepted": queue.requestsSucceeded,
        "remote_write_requests_refused": queue.requestsFailed,
        "remote_write_send_errors": queue.sendErrors,
        "remote_write_retries": queue.retries,
      ] as [String: Any]
    case .victoriaMetrics(let flags):
      var values: [String: String] = [:]
      for name in VictoriaMetricsFlags.reported { values[name] = flags.value(name) }
      func number(_ value: Double?) -> Any { value.map { $0 as Any } ?? NSNull() }
      func number(_ value: Int?) -> Any { value.map { $0 as Any } ?? NSNull() }
      return [
        "flags": values,
        "flags_set": VictoriaMetricsFlags.reported.filter(flags.isSet),
        "retention_seconds": number(flags.retentionSeconds),
        "dedup_interval_seconds": number(flags.dedupIntervalSeconds),
        "import_max_line_bytes": number(flags.importMaxLineBytes),
        "max_labels_per_series": number(flags.maxLabelsPerSeries),
      ] as [String: Any]
    }
  }
}
