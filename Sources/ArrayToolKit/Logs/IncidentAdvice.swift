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
    headline = facts.headline.string
    happened = facts.happened.string
    causes = facts.causes.map(\.string)
    impact = facts.impact.string
    checks = facts.checks.map(\.string)
  }
}

/// The evidence of one incident and the sentences drawn from it, written as `ReportText` so
/// that the text report copies them into its buffer without making Strings.
struct IncidentEvidence {
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

  var file: String { burst.files.first ?? "the archive" }

  /// Whether several workers failed together, which points at a shared dependency.
  var manyWorkers: Bool { burst.workerCount >= 3 }

  /// Whether the host looks like a docker compose service name rather than a DNS name or IP.
  var isServiceName: Bool {
    guard let host = burst.host else { return false }
    return !Self.name(host, contains: ".") && !Self.name(host, contains: ":")
      && host != "localhost"
  }

  /// Whether `name` contains `part`. Foundation's `contains`, which the words were first
  /// written with, goes through NSString; an ASCII name, the usual one, is searched as bytes,
  /// which gives the same answer for it.
  static func name(_ name: String, contains part: String) -> Bool {
    var (name, part) = (name, part)
    return name.withUTF8 { name in
      guard ReportFormat.isPlainASCII(name) else { return nil }
      return part.withUTF8 { part in
        guard name.count >= part.count else { return false }
        return (0...(name.count - part.count)).contains { start in
          UnsafeBufferPointer(rebasing: name[start..<(start + part.count)]).elementsEqual(part)
        }
      }
    } ?? name.contains(part)
  }

  var headline: ReportText {
    switch burst.errorClass {
    case .dnsTemporary: return "DNS lookups of \(hostName) failed temporarily"
    case .dnsNotFound: return "the name \(hostName) did not resolve"
    case .connectionRefused: return "\(endpoint) refused connections"
    case .timeout: return "requests to \(endpoint) timed out"
    case .http5xx:
      if burst.host == nil { return "requests were answered with \(statusList)" }
      return "\(endpoint) answered \(statusList)"
    case .http429: return "\(endpoint) rate-limited the client (429 Too Many Requests)"
    case .corruptArchive: return "\(file) could not be decompressed (\(burst.reason ?? "corrupt"))"
    case .tarError: return "\(file) is not a readable tar archive"
    case .zipError: return "\(file) is not a readable zip archive"
    case .outOfMemory: return "the process ran out of memory"
    case .diskFull: return "a disk was full"
    case .other: return "unrecognised error: \(burst.template ?? burst.sample)"
    }
  }

  var statusList: ReportText {
    guard !burst.statuses.isEmpty else { return "5xx" }
    var text = ReportText()
    text.write(burst.statuses.keys.sorted(), separator: "/") { $0.write($1) }
    return text
  }

  var happened: ReportText {
    var text: ReportText = "\(when: burst.first, burst.last), \(what)"
    let caused = burst.count - burst.primaryCount
    if caused > 0 {
      let consequence: ReportText = burst.consequenceTemplate.map { "“\($0)”" } ?? "another error"
      let from = burst.workerRange == nil ? "" : " from its worker"
      text +=
        " Each failure was followed by \(consequence)\(from) (\(count: caused, "error"))."
    }
    if let range = burst.workerRange {
      if manyWorkers {
        text +=
          " \(burst.workerCount) workers (\(workerRange: range)) failed together, so what they "
          + "share failed, not one worker."
      } else if range.count == 1 {
        let doing = burst.errorClass.isArchive ? "was reading it." : "reported it."
        text += " Worker \(range.lowerBound) \(doing)"
      } else {
        text += " Workers \(workerRange: range) were affected."
      }
    }
    if let warning = burst.followingWarning {
      text += " The importer then logged"
      if let time = burst.followingWarningTime { text += " at \(clock: time)" }
      text += ": “\(cut: warning, 160)”."
    }
    if burst.errorClass.isNetwork && burst.primaryCount > 1 && burst.duration > 0 {
      text += " The errors stopped by themselves after \(duration: burst.duration)."
    }
    return text
  }

  private var what: ReportText {
    let failures: ReportText = "\(count: burst.primaryCount, "request")"
    switch burst.errorClass {
    case .dnsTemporary:
      return "\(failures) to \(endpoint) failed before a connection was made: the resolver gave "
        + "no answer for the name \(hostName) (EAI_AGAIN, a temporary failure)."
    case .dnsNotFound:
      return "\(failures) to \(endpoint) failed: the resolver answered that \(hostName) does not "
        + "exist."
    case .connectionRefused:
      return "\(failures) to \(endpoint) failed: the name resolved, but nothing accepted the "
        + "connection."
    case .timeout:
      return "\(failures) to \(endpoint) got no answer in time."
    case .http5xx:
      if burst.host == nil {
        return "\(failures) were answered with a server error (\(statusSummary)): the service "
          + "that wrote this log failed them, or a server behind it did."
      }
      return "\(endpoint) received \(failures) and failed them (\(statusSummary))."
    case .http429:
      return "\(endpoint) turned down \(failures): the client sent faster than it accepts."
    case .corruptArchive:
      return "\(file) could not be decompressed: \(reasonText)."
    case .tarError:
      return "\(file) decompressed, but its tar stream could not be read."
    case .zipError:
      return "\(file) could not be opened as a zip archive."
    case .outOfMemory:
      return "a process could not get the memory it asked for, or the kernel killed it."
    case .diskFull:
      return "writes failed because the file system had no space left."
    case .other:
      return "\(count: burst.primaryCount, "error") matched no known failure: "
        + "“\(burst.template ?? "")”."
    }
  }

  private var reasonText: String {
    switch burst.reason {
    case "truncated":
      return "the compressed stream ends before its end marker, so the file is cut short"
    case "CRC mismatch": return "the data does not match its checksum"
    case "not gzip data": return "the file is not gzip data at all"
    default: return "the compressed data is invalid"
    }
  }

  private var statusSummary: ReportText {
    var text = ReportText()
    text.write(burst.statuses.sorted { $0.key < $1.key }, separator: ", ") {
      $0 += "\($1.value)× \($1.key)"
    }
    return text
  }

  var impact: ReportText {
    var parts: [ReportText] = []
    if burst.batchesFailed > 0 {
      let batches: ReportText =
        burst.batchesFailed == 1 ? "1 batch was" : "\(burst.batchesFailed) batches were"
      parts.append(
        "\(batches) not delivered to \(endpoint) \(between: burst.first, burst.last): "
          + "those samples are missing from VictoriaMetrics.")
      if burst.files.isEmpty {
        let who: ReportText =
          burst.workerRange.map {
            " \($0.count == 1 ? "worker" : "workers") \(workerRange: $0)"
          } ?? ""
        parts.append(
          "The log does not name the files of these batches: import again the files\(who) "
            + "were processing at that time.")
      } else {
        parts.append(
          "They came from \(list: burst.files, more: burst.filesOmitted): import "
            + "these again once \(hostName) answers.")
      }
    }
    if burst.rejectedWrites > 0 {
      parts.append(
        "\(burst.rejectedWrites) write requests failed: the samples they carried were not stored.")
    }
    let skipped = burst.filesSkipped
    if skipped > 0 {
      var names = ReportText()
      if !burst.skippedFiles.isEmpty {
        names.write(": ")
        names.write(burst.skippedFiles.sorted(), separator: ", ") { $0.write($1) }
      }
      let these = skipped == 1 ? "its" : "their"
      let them = skipped == 1 ? "it" : "them"
      let files: ReportText = skipped == 1 ? "1 file was" : "\(skipped) files were"
      parts.append(
        "\(files) skipped\(names); \(these) "
          + "samples were not imported. Copy or export \(them) again, check \(them) with "
          + "arraytool verify, then import \(them).")
    }
    switch burst.errorClass {
    case .outOfMemory:
      parts.append(
        "Whatever the process held in memory was lost: batches in flight were not imported.")
    case .diskFull:
      parts.append("Samples written while the disk was full were not stored.")
    default: break
    }
    if parts.isEmpty {
      return "Nothing in the log says data was lost: the requests were retried or did not carry "
        + "samples."
    }
    var text = ReportText()
    text.write(parts, separator: " ") { $0 += $1 }
    return text
  }

  var causes: [ReportText] {
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

  private var dnsTemporaryCauses: [ReportText] {
    var causes: [ReportText] = []
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

  private var serverErrorCauses: [ReportText] {
    var causes: [ReportText] = []
    let statuses = Set(burst.statuses.keys)
    if !statuses.isDisjoint(with: [502, 504]) {
      causes.append(
        "a proxy in front of \(hostName) could not reach it or waited too long (502/504)")
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

  private var archiveCauses: [ReportText] {
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

  var checks: [ReportText] {
    switch burst.errorClass {
    case .dnsTemporary, .dnsNotFound, .connectionRefused, .timeout, .http5xx, .http429:
      return networkChecks
    case .corruptArchive, .tarError, .zipError:
      if burst.files.isEmpty {
        let worker: ReportText =
          burst.workerRange.map { "\\[Worker \($0.lowerBound)\\]" } ?? "Processing"
        return ["grep -n '\(worker)' \(shellWord: input) | tail -n 5"]
      }
      return burst.files.prefix(5).map { "arraytool verify \(shellWord: $0)" }
    case .outOfMemory:
      return ["docker stats --no-stream", "dmesg -T | grep -i -E 'out of memory|killed process'"]
    case .diskFull:
      return ["df -h", "docker system df"]
    case .other:
      return [
        "sed -n '\(max(1, burst.line - 5)),\(burst.line + 20)p' \(shellWord: input)"
      ]
    }
  }

  private var networkChecks: [ReportText] {
    var checks: [ReportText] = []
    guard let host = burst.host else {
      // An access log names no server: check both with the default or configured URLs, and
      // list the failed requests.
      checks.append("arraytool probe all")
      if let status = burst.statuses.keys.min() {
        checks.append("grep -n '\" \(status) ' \(shellWord: input) | head -n 20")
      }
      return checks
    }
    let isVictoriaMetrics =
      burst.port == 8428 || Self.name(host.lowercased(), contains: "victoria") || host == "vm"
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
          "docker compose logs --since \(isoSeconds: first.adding(seconds: -60)) "
            + "--until \(isoSeconds: last.adding(seconds: 60)) \(host)")
      }
    }
    return checks
  }
}
