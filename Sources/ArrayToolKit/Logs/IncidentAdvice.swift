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
    var causes: [String] = []
    facts.causes { causes.append($0.string) }
    self.causes = causes
    impact = facts.impact.string
    var checks: [String] = []
    facts.checks { checks.append($0.string) }
    self.checks = checks
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
    var text = ReportText(capacity: 512)
    text += "\(when: burst.first, burst.last), "
    writeWhat(into: &text)
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

  /// The sentence of `happened` that says what failed.
  private func writeWhat(into text: inout ReportText) {
    let failures: ReportText = "\(count: burst.primaryCount, "request")"
    switch burst.errorClass {
    case .dnsTemporary:
      let name = burst.host == nil ? "the server's name" : "the name \(hostName)"
      text += "\(failures) to \(endpoint) failed before a connection was made: the resolver gave "
        + "no answer for \(name) (EAI_AGAIN, a temporary failure)."
    case .dnsNotFound:
      text += "\(failures) to \(endpoint) failed: the resolver answered that \(hostName) does not "
        + "exist."
    case .connectionRefused:
      text += "\(failures) to \(endpoint) failed: the name resolved, but nothing accepted the "
        + "connection."
    case .timeout:
      text += "\(failures) to \(endpoint) got no answer in time."
    case .http5xx:
      if burst.host == nil {
        text += "\(failures) were answered with a server error (\(statusSummary)): the service "
          + "that wrote this log failed them, or a server behind it did."
        return
      }
      text += "\(endpoint) received \(failures) and failed them (\(statusSummary))."
    case .http429:
      text += "\(endpoint) turned down \(failures): the client sent faster than it accepts."
    case .corruptArchive:
      text += "\(file) could not be decompressed: \(reasonText)."
    case .tarError:
      text += "\(file) decompressed, but its tar stream could not be read."
    case .zipError:
      text += "\(file) could not be opened as a zip archive."
    case .outOfMemory:
      text += "a process could not get the memory it asked for, or the kernel killed it."
    case .diskFull:
      text += "writes failed because the file system had no space left."
    case .other:
      text += "\(count: burst.primaryCount, "error") matched no known failure: "
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
    var text = ReportText(capacity: 512)
    func part(_ sentence: ReportText) {
      if !text.isEmpty { text.write(" ") }
      text += sentence
    }
    if burst.batchesFailed > 0 {
      let batches: ReportText =
        burst.batchesFailed == 1 ? "1 batch was" : "\(burst.batchesFailed) batches were"
      part(
        "\(batches) not delivered to \(endpoint) \(between: burst.first, burst.last): "
          + "those samples are missing from VictoriaMetrics.")
      if burst.files.isEmpty {
        let files: ReportText =
          burst.workerRange.map {
            $0.count == 1
              ? "the files worker \(workerRange: $0) was processing"
              : "the files workers \(workerRange: $0) were processing"
          } ?? "the files being processed"
        part(
          "The log does not name the files of these batches: import again \(files) at that "
            + "time.")
      } else {
        part(
          "They came from \(list: burst.files, more: burst.filesOmitted): import "
            + "these again once \(hostName) answers.")
      }
    }
    if burst.rejectedWrites > 0 {
      part(
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
      part(
        "\(files) skipped\(names); \(these) "
          + "samples were not imported. Copy or export \(them) again, check \(them) with "
          + "arraytool verify, then import \(them).")
    }
    switch burst.errorClass {
    case .outOfMemory:
      part(
        "Whatever the process held in memory was lost: batches in flight were not imported.")
    case .diskFull:
      part("Samples written while the disk was full were not stored.")
    default: break
    }
    if text.isEmpty {
      return "Nothing in the log says data was lost: the requests were retried or did not carry "
        + "samples."
    }
    return text
  }

  /// The probable causes, most likely first, each given to `cause`.
  func causes(_ cause: (ReportText) -> Void) {
    switch burst.errorClass {
    case .dnsTemporary: dnsTemporaryCauses(cause)
    case .dnsNotFound:
      cause("the name \(hostName) is wrong in the configuration (a typo, or a service renamed)")
      cause("the container is not attached to the Docker network where \(hostName) lives")
      cause("\(hostName) was removed (docker compose down or rm) at that moment")
    case .connectionRefused:
      cause("\(hostName) was down, restarting or still starting, so nothing listened on the port")
      cause("the port is wrong (vmagent listens on 8429, VictoriaMetrics on 8428)")
      cause("a firewall rejected the connection")
    case .timeout:
      cause("\(hostName) was overloaded and answered too slowly")
      cause("the network between the importer and \(hostName) dropped packets")
      cause("the client timeout is too short for the batch size")
    case .http5xx: serverErrorCauses(cause)
    case .http429:
      cause(
        "an ingestion rate limit on \(hostName) was reached: too many workers or too large "
          + "batches")
      cause("several importers write to \(hostName) at the same time")
    case .corruptArchive, .tarError, .zipError: archiveCauses(cause)
    case .outOfMemory:
      cause("workers times batch size holds more samples than the memory limit allows")
      cause("the container's memory limit is lower than the import needs")
      cause("another process on the host took the memory")
    case .diskFull:
      cause("the disk holding VictoriaMetrics' data or the importer's temporary files filled up")
      cause("old exports or logs were never cleaned up")
    case .other:
      cause("not recognised by arraytool: read the message and the lines around it")
    }
  }

  private func dnsTemporaryCauses(_ cause: (ReportText) -> Void) {
    if isServiceName {
      cause(
        "\(hostName) was restarting or being recreated: Docker's embedded DNS (127.0.0.11) has "
          + "no record for a container that is not running")
    }
    cause("the resolver the importer uses was overloaded or unreachable")
    if manyWorkers || burst.count >= 50 {
      cause(
        "each batch opened a new connection and so a new lookup: \(burst.workerCount) workers "
          + "resolving at once multiply the load on the resolver")
    }
  }

  private func serverErrorCauses(_ cause: (ReportText) -> Void) {
    let statuses = Set(burst.statuses.keys)
    if !statuses.isDisjoint(with: [502, 504]) {
      cause("a proxy in front of \(hostName) could not reach it or waited too long (502/504)")
    }
    if statuses.contains(503) {
      cause("\(hostName) was overloaded, starting up or shedding load (503)")
    }
    if statuses.contains(500) || statuses.isEmpty {
      cause("\(hostName) failed while handling the requests: its own log says why")
    }
    cause("the requests were too large or malformed for the server to handle")
  }

  private func archiveCauses(_ cause: (ReportText) -> Void) {
    switch burst.reason {
    case "truncated":
      cause("the file was read while it was still being copied or downloaded")
      cause("the transfer was interrupted (a network drop, or a full disk at the destination)")
      cause("the export on the array stopped before it finished")
    case "CRC mismatch":
      cause("bytes changed in transit or on disk (a faulty disk, a text-mode transfer)")
      cause("the file was rewritten while it was read")
    case "not gzip data":
      cause(
        "the file is not gzip at all: an error page or an empty file saved under the archive "
          + "name")
      cause("the download saved a partial or redirected response")
    default:
      cause("the archive is damaged: interrupted transfer, faulty storage, or an incomplete export")
      cause("the file was still being written when it was read")
    }
  }

  /// The commands to run next, each given to `check`.
  func checks(_ check: (ReportText) -> Void) {
    switch burst.errorClass {
    case .dnsTemporary, .dnsNotFound, .connectionRefused, .timeout, .http5xx, .http429:
      networkChecks(check)
    case .corruptArchive, .tarError, .zipError:
      if burst.files.isEmpty {
        let worker: ReportText =
          burst.workerRange.map { "\\[Worker \($0.lowerBound)\\]" } ?? "Processing"
        return check("grep -n '\(worker)' \(shellWord: input) | tail -n 5")
      }
      for file in burst.files.prefix(5) { check("arraytool verify \(shellWord: file)") }
    case .outOfMemory:
      check("docker stats --no-stream")
      check("dmesg -T | grep -i -E 'out of memory|killed process'")
    case .diskFull:
      check("df -h")
      check("docker system df")
    case .other:
      check("sed -n '\(max(1, burst.line - 5)),\(burst.line + 20)p' \(shellWord: input)")
    }
  }

  private func networkChecks(_ check: (ReportText) -> Void) {
    guard let host = burst.host else {
      // An access log names no server: check both with the default or configured URLs, and
      // list the failed requests.
      check("arraytool probe all")
      if let status = burst.statuses.keys.min() {
        check("grep -n '\" \(status) ' \(shellWord: input) | head -n 20")
      }
      return
    }
    let isVictoriaMetrics =
      burst.port == 8428 || Self.name(host.lowercased(), contains: "victoria") || host == "vm"
    let port = burst.port ?? (isVictoriaMetrics ? 8428 : 8429)
    let target = isVictoriaMetrics ? "victoriametrics" : "vmagent"
    check("arraytool probe \(target) --url http://\(host):\(port)")
    if burst.errorClass == .dnsTemporary || burst.errorClass == .dnsNotFound {
      check("getent hosts \(host)    # inside the importer's container")
    }
    if isServiceName {
      check("docker compose ps \(host)")
      if let first = burst.first, let last = burst.last {
        check(
          "docker compose logs --since \(isoSeconds: first.adding(seconds: -60)) "
            + "--until \(isoSeconds: last.adding(seconds: 60)) \(host)")
      }
    }
  }
}
