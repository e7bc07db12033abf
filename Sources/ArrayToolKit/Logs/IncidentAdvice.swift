// What a senior engineer would write about one incident: a headline, what happened in plain
// words, the probable causes in the order worth checking, the impact on the data, and the
// commands to run next with the host, port, file and time window already filled in. The wording
// depends on the evidence: how many workers were hit at once, which HTTP statuses came back,
// why an archive could not be read, whether the storm stopped by itself.

/// The written analysis of one incident.
public struct IncidentAdvice: Sendable {
  public var headline: String
  public var happened: String
  public var causes: [String]
  public var impact: String
  /// Ready-to-run commands.
  public var checks: [String]

  /// The analysis of `burst`, found in `input` (the log it started in).
  public init(burst: LogBurst, input: String) {
    let facts = IncidentEvidence(burst: burst, input: input)
    headline = facts.headline
    happened = facts.happened
    causes = facts.causes
    impact = facts.impact
    checks = facts.checks
  }
}

/// The evidence of one incident and the sentences drawn from it.
private struct IncidentEvidence {
  let burst: LogBurst
  let input: String
  /// `vmagent:8429`, `vmagent`, or `the server` when no host was named.
  let endpoint: String
  let hostName: String

  init(burst: LogBurst, input: String) {
    self.burst = burst
    self.input = input
    hostName = burst.host ?? "the server"
    endpoint = burst.host.map { host in burst.port.map { "\(host):\($0)" } ?? host } ?? "the server"
  }

  var window: String { ReportFormat.window(burst.first, burst.last) }
  var span: String { ReportFormat.duration(burst.duration) }
  var workers: String { ReportFormat.workers(burst) }
  var file: String { burst.files.first ?? "the archive" }

  /// Whether several workers failed together, which points at a shared dependency.
  var manyWorkers: Bool { burst.workerCount >= 3 }

  /// Whether the host looks like a docker compose service name rather than a DNS name or IP.
  var isServiceName: Bool {
    guard let host = burst.host else { return false }
    return !host.contains(".") && !host.contains(":") && host != "localhost"
  }

  var headline: String {
    switch burst.errorClass {
    case .dnsTemporary: return "DNS lookups of \(hostName) failed temporarily"
    case .dnsNotFound: return "the name \(hostName) did not resolve"
    case .connectionRefused: return "\(endpoint) refused connections"
    case .timeout: return "requests to \(endpoint) timed out"
    case .http5xx: return "\(endpoint) answered \(statusList) server errors"
    case .http429: return "\(endpoint) rate-limited the client (429 Too Many Requests)"
    case .corruptArchive: return "\(file) could not be decompressed (\(burst.reason ?? "corrupt"))"
    case .tarError: return "\(file) is not a readable tar archive"
    case .zipError: return "\(file) is not a readable zip archive"
    case .outOfMemory: return "the process ran out of memory"
    case .diskFull: return "a disk was full"
    case .other: return "unrecognised error: \(burst.template ?? burst.sample)"
    }
  }

  var statusList: String {
    let statuses = burst.statuses.keys.sorted().map(String.init)
    return statuses.isEmpty ? "5xx" : statuses.joined(separator: "/")
  }

  var happened: String {
    let errors = burst.count == 1 ? "one error" : "\(burst.count) errors"
    let caused = burst.count - burst.primaryCount
    let split =
      caused > 0
      ? " (\(burst.primaryCount) \(burst.errorClass.rawValue) and \(caused) errors they caused)"
      : ""
    var text = "\(window): \(errors)\(split)"
    if let range = burst.workerRange {
      text += range.count == 1 ? " from worker \(range.lowerBound)" : " from workers \(workers)"
    }
    text += ". " + what
    if burst.errorClass.isNetwork && burst.count > 1 && burst.duration > 0 {
      text += " The errors stopped by themselves after \(span)."
    }
    return text
  }

  private var what: String {
    let together = manyWorkers ? " All workers were hit at once, so the name, not a worker, failed." : ""
    switch burst.errorClass {
    case .dnsTemporary:
      return "Every connection to \(endpoint) failed before it was made: the resolver gave no "
        + "answer for \(hostName) (EAI_AGAIN, a temporary failure)." + together
    case .dnsNotFound:
      return "The resolver answered that \(hostName) does not exist, so nothing was sent to it."
    case .connectionRefused:
      return "The name resolved, but nothing accepted connections on \(endpoint)."
    case .timeout:
      return "Connections to \(endpoint) were made or attempted, but no answer came in time."
    case .http5xx:
      return "\(endpoint) received the requests and failed them (\(statusSummary))."
    case .http429:
      return "\(endpoint) refused requests because the client sent faster than it accepts."
    case .corruptArchive, .tarError, .zipError:
      return "The importer could not read \(file) and went on without it."
    case .outOfMemory:
      return "A process could not get the memory it asked for, or the kernel killed it."
    case .diskFull:
      return "Writes failed because the file system had no space left."
    case .other:
      return "No known failure class matches; the sample below shows the message."
    }
  }

  private var statusSummary: String {
    burst.statuses.sorted { $0.key < $1.key }.map { "\($0.value)× \($0.key)" }
      .joined(separator: ", ")
  }

  var impact: String {
    var parts: [String] = []
    if burst.batchesFailed > 0 {
      let batches = burst.batchesFailed == 1 ? "1 batch was" : "\(burst.batchesFailed) batches were"
      parts.append(
        "\(batches) not delivered: their samples are missing from VictoriaMetrics for \(window).")
      if burst.files.isEmpty {
        parts.append(
          "The log does not say which files the batches came from; import again the files the "
            + "workers (\(workers)) were processing then.")
      } else {
        parts.append("Import again: \(ReportFormat.list(burst.files, more: burst.filesOmitted)).")
      }
    }
    if burst.rejectedWrites > 0 {
      parts.append(
        "\(burst.rejectedWrites) write requests failed: the samples they carried were not stored.")
    }
    let skipped = burst.filesSkipped
    if skipped > 0 {
      let names = burst.skippedFiles.isEmpty ? "" : ": " + burst.skippedFiles.sorted().joined(separator: ", ")
      parts.append(
        "\(skipped == 1 ? "1 file was" : "\(skipped) files were") skipped\(names). Its samples "
          + "were not imported; fix or export the file again, then import it.")
    }
    switch burst.errorClass {
    case .outOfMemory:
      parts.append("Whatever the process held in memory was lost: batches in flight were not imported.")
    case .diskFull:
      parts.append("Samples written while the disk was full were not stored.")
    default: break
    }
    if parts.isEmpty {
      return "Nothing in the log says data was lost: the requests were retried or did not carry "
        + "samples."
    }
    return parts.joined(separator: " ")
  }

  var causes: [String] {
    switch burst.errorClass {
    case .dnsTemporary: return dnsTemporaryCauses
    case .dnsNotFound:
      return [
        "the name \(hostName) is wrong in the configuration (a typo, or a service renamed)",
        "the container is not attached to the Docker network where \(hostName) lives",
        "\(hostName) was removed (docker compose down or rm) at that moment",
      ]
    case .connectionRefused:
      return [
        "\(hostName) was down, restarting or still starting, so nothing listened on the port",
        "the port is wrong (vmagent listens on 8429, VictoriaMetrics on 8428)",
        "a firewall rejected the connection",
      ]
    case .timeout:
      return [
        "\(hostName) was overloaded and answered too slowly",
        "the network between the importer and \(hostName) dropped packets",
        "the client timeout is too short for the batch size",
      ]
    case .http5xx: return serverErrorCauses
    case .http429:
      return [
        "an ingestion rate limit on \(hostName) was reached: too many workers or too large batches",
        "several importers write to \(hostName) at the same time",
      ]
    case .corruptArchive, .tarError, .zipError: return archiveCauses
    case .outOfMemory:
      return [
        "workers times batch size holds more samples than the memory limit allows",
        "the container's memory limit is lower than the import needs",
        "another process on the host took the memory",
      ]
    case .diskFull:
      return [
        "the disk holding VictoriaMetrics' data or the importer's temporary files filled up",
        "old exports or logs were never cleaned up",
      ]
    case .other:
      return ["not recognised by arraytool: read the message and the lines around it"]
    }
  }

  private var dnsTemporaryCauses: [String] {
    var causes: [String] = []
    if isServiceName {
      causes.append(
        "\(hostName) was restarting or being recreated: Docker's embedded DNS (127.0.0.11) has "
          + "no record for a container that is not running")
    }
    causes.append("the resolver the importer uses was overloaded or unreachable")
    if manyWorkers || burst.count >= 50 {
      causes.append(
        "each batch opened a new connection and so a new lookup: \(burst.workerCount) workers "
          + "resolving at once multiply the load on the resolver")
    }
    return causes
  }

  private var serverErrorCauses: [String] {
    var causes: [String] = []
    let statuses = Set(burst.statuses.keys)
    if !statuses.isDisjoint(with: [502, 504]) {
      causes.append("a proxy in front of \(hostName) could not reach it or waited too long (502/504)")
    }
    if statuses.contains(503) {
      causes.append("\(hostName) was overloaded, starting up or shedding load (503)")
    }
    if statuses.contains(500) || statuses.isEmpty {
      causes.append("\(hostName) failed while handling the requests: its own log says why")
    }
    causes.append("the requests were too large or malformed for the server to handle")
    return causes
  }

  private var archiveCauses: [String] {
    switch burst.reason {
    case "truncated":
      return [
        "the file was read while it was still being copied or downloaded",
        "the transfer was interrupted (a network drop, or a full disk at the destination)",
        "the export on the array stopped before it finished",
      ]
    case "CRC mismatch":
      return [
        "bytes changed in transit or on disk (a faulty disk, a text-mode transfer)",
        "the file was rewritten while it was read",
      ]
    case "not gzip data":
      return [
        "the file is not gzip at all: an error page or an empty file saved under the archive name",
        "the download saved a partial or redirected response",
      ]
    default:
      return [
        "the archive is damaged: interrupted transfer, faulty storage, or an incomplete export",
        "the file was still being written when it was read",
      ]
    }
  }

  var checks: [String] {
    switch burst.errorClass {
    case .dnsTemporary, .dnsNotFound, .connectionRefused, .timeout, .http5xx, .http429:
      return networkChecks
    case .corruptArchive, .tarError, .zipError:
      if burst.files.isEmpty {
        let worker = burst.workerRange.map { "\\[Worker \($0.lowerBound)\\]" } ?? "Processing"
        return ["grep -n '\(worker)' \(ReportFormat.shellWord(input)) | tail -n 5"]
      }
      return burst.files.prefix(5).map { "arraytool verify \(ReportFormat.shellWord($0))" }
    case .outOfMemory:
      return ["docker stats --no-stream", "dmesg -T | grep -i -E 'out of memory|killed process'"]
    case .diskFull:
      return ["df -h", "docker system df"]
    case .other:
      return ["sed -n '\(max(1, burst.line - 5)),\(burst.line + 20)p' \(ReportFormat.shellWord(input))"]
    }
  }

  private var networkChecks: [String] {
    var checks: [String] = []
    let host = burst.host ?? "vmagent"
    let isVictoriaMetrics =
      burst.port == 8428 || host.lowercased().contains("victoria") || host == "vm"
    let port = burst.port ?? (isVictoriaMetrics ? 8428 : 8429)
    let target = isVictoriaMetrics ? "victoriametrics" : "vmagent"
    checks.append("arraytool probe \(target) --url http://\(host):\(port)")
    if burst.errorClass == .dnsTemporary || burst.errorClass == .dnsNotFound {
      checks.append("getent hosts \(host)    # inside the importer's container")
    }
    if isServiceName {
      checks.append("docker compose ps \(host)")
      if let first = burst.first, let last = burst.last {
        checks.append(
          "docker compose logs --since \(first.adding(seconds: -60).isoSeconds) "
            + "--until \(last.adding(seconds: 60).isoSeconds) \(host)")
      }
    }
    return checks
  }
}
