// What vmagent's /metrics page says about the road from vmagent to its remote storage: how much
// waits in its queue, what it has thrown away, and how its remote-write requests fare. These are
// read line by line as the page streams in, and judged against documented limits.

import Foundation

/// The facts about vmagent's delivery read from its /metrics page.
public struct VmagentQueueFacts: Equatable, Sendable {
  /// More than two blocks of vmagent's largest size (`-remoteWrite.maxBlockSize`, 8 MiB by
  /// default) waiting to be sent means it is not keeping up: a healthy vmagent sends each block
  /// within about a second (`-remoteWrite.flushInterval`) and holds almost nothing.
  public static let backlogThresholdBytes = 16 * 1024 * 1024

  /// Bytes waiting to be sent, in memory and on disk
  /// (sum of `vmagent_remotewrite_pending_data_bytes` over remote-write URLs).
  public var pendingBytes = 0.0
  /// Bytes of that in the on-disk queue (sum of `vm_persistentqueue_bytes_pending`).
  public var persistentPendingBytes = 0.0
  /// Every counter of data thrown away, by metric name, summed over its labels. Relabelling
  /// drops are left out: those samples are dropped on purpose by configuration.
  public var dropped: [String: Double] = [:]
  /// Remote-write requests answered with a 2xx status.
  public var requestsSucceeded = 0.0
  /// Remote-write requests answered with any other status.
  public var requestsFailed = 0.0
  /// Remote-write attempts that failed without an HTTP answer (`vmagent_remotewrite_errors_total`).
  public var sendErrors = 0.0
  /// Retries of remote-write requests (`vmagent_remotewrite_retries_count_total`).
  public var retries = 0.0
  /// Whether any `vmagent_` metric was seen: if not, the page is not vmagent's.
  public var sawVmagentMetrics = false
  /// Whether the page counts stored rows (`vm_rows`), which only a VictoriaMetrics does.
  public var sawStorageMetrics = false

  /// Facts before any line is read: all zero.
  public init() {}

  /// Adds one line of the /metrics page.
  mutating func add(line: String) {
    guard let sample = PrometheusSample(line: line), sample.value.isFinite else { return }
    let name = sample.name
    if name.hasPrefix("vmagent_") { sawVmagentMetrics = true }
    if name == "vm_rows" { sawStorageMetrics = true }
    switch name {
    case "vmagent_remotewrite_pending_data_bytes":
      pendingBytes += sample.value
    case "vm_persistentqueue_bytes_pending":
      persistentPendingBytes += sample.value
    case "vmagent_remotewrite_requests_total":
      if sample.labels["status_code"]?.hasPrefix("2") == true {
        requestsSucceeded += sample.value
      } else {
        requestsFailed += sample.value
      }
    case "vmagent_remotewrite_errors_total":
      sendErrors += sample.value
    case "vmagent_remotewrite_retries_count_total":
      retries += sample.value
    default:
      if Self.countsDroppedData(name) { dropped[name, default: 0] += sample.value }
    }
  }

  /// `vmagent_…dropped…` and `vm_persistentqueue_…dropped…` counters, except relabelling.
  static func countsDroppedData(_ name: String) -> Bool {
    (name.hasPrefix("vmagent_") || name.hasPrefix("vm_persistentqueue_"))
      && name.contains("dropped") && !name.contains("relabel")
  }

  /// The total of every drop counter.
  public var droppedTotal: Double {
    dropped.values.reduce(0, +)
  }

  /// What is wrong, worst first; empty when vmagent delivers as it should.
  public var findings: [ProbeFailure] {
    var found: [ProbeFailure] = []
    let lost = dropped.filter { $0.value > 0 }.sorted { $0.key < $1.key }
    if !lost.isEmpty {
      let list = lost.map { "\($0.key) \(Self.count($0.value))" }.joined(separator: ", ")
      let message = "vmagent has dropped data since it started: \(list)"
      found.append(ProbeFailure(.droppingData, message))
    }
    if pendingBytes > Double(Self.backlogThresholdBytes) {
      found.append(
        ProbeFailure(
          .queueBacklog,
          "\(ByteCount.format(pendingBytes)) wait in vmagent's queue "
            + "(more than \(ByteCount.format(Double(Self.backlogThresholdBytes))))"))
    }
    if requestsSucceeded == 0 && requestsFailed + sendErrors > 0 {
      found.append(
        ProbeFailure(
          .unhealthy,
          "vmagent has not delivered anything to its remote storage since it started: "
            + "\(Self.count(requestsFailed)) requests refused, \(Self.count(sendErrors)) "
            + "failed to send, none accepted"))
    }
    return found
  }

  /// One line for the text report.
  public var summary: String {
    let drops = droppedTotal == 0 ? "nothing dropped" : "\(Self.count(droppedTotal)) dropped"
    return "queue \(ByteCount.format(pendingBytes)) pending"
      + " (\(ByteCount.format(persistentPendingBytes)) on disk), \(drops); remote write "
      + "\(Self.count(requestsSucceeded)) accepted, \(Self.count(requestsFailed)) refused, "
      + "\(Self.count(sendErrors)) send errors, \(Self.count(retries)) retries"
  }

  static func count(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
  }
}

/// Byte counts the way people read them.
enum ByteCount {
  /// `0 B`, `512 B`, `1.5 KiB`, `16.0 MiB`.
  static func format(_ bytes: Double) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = bytes
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    if unit == 0 { return "\(Int(value)) B" }
    return String(format: "%.1f", value) + " " + units[unit]
  }
}
