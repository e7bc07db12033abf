// `--write-test`: proves that data sent now arrives, by writing one sample with a label no other
// series has and reading it back from VictoriaMetrics. Through vmagent the sample makes the
// whole trip (vmagent's queue, remote write, storage); VictoriaMetrics alone checks its import
// path. The sample stays in the database, which is why this runs only when asked for.

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One write-and-read-back check.
struct WriteTest {
  /// The metric name of every test sample, easy to find and to delete.
  static let metricName = "arraytool_probe_write_test"
  /// Pause between read-back attempts; vmagent forwards about once a second.
  static let pollInterval = 0.2

  /// The value of the `probe_id` label, unique to this run.
  let id: String

  init(id: String = WriteTest.uniqueID()) {
    self.id = id
  }

  /// `arraytool_probe_write_test{probe_id="…"}`.
  var series: String {
    "\(Self.metricName){probe_id=\"\(id)\"}"
  }

  /// Writes the sample through `writer` and polls `reader` until it is there.
  /// - Returns: a line saying how long the round trip took.
  /// - Throws: `ProbeFailure` of kind `writeTestFailed`, saying which half failed and why.
  func run(writer: HTTPClient, reader: HTTPClient, deadline: Deadline) throws -> String {
    let started = Deadline.now()
    let milliseconds = Int64(Date().timeIntervalSince1970 * 1000)
    var write = HTTPRequest(method: "POST", path: "/api/v1/import/prometheus")
    write.contentType = "text/plain"
    write.body = Array("\(series) 1 \(milliseconds)\n".utf8)
    do {
      let (head, body) = try writer.fetch(write, deadline: deadline, limit: 200)
      guard head.isSuccess else {
        throw ProbeFailure(
          .writeTestFailed,
          "\(write.summary) on \(writer.endpoint.display) answered \(head.status): "
            + HTTPCheck.bodyStart(body))
      }
    } catch let failure as ProbeFailure where failure.kind != .writeTestFailed {
      throw ProbeFailure(.writeTestFailed, "writing the sample: \(failure.message)")
    }

    let selector = "{__name__=\"\(Self.metricName)\",probe_id=\"\(id)\"}"
    let export = HTTPRequest.get("/api/v1/export?match%5B%5D=" + Self.queryEncoded(selector))
    var lastProblem = "not there yet"
    while true {
      // Recent samples become searchable only when VictoriaMetrics flushes its buffers, every
      // few seconds; asking for a flush makes the read-back take about a second.
      _ = try? reader.fetch(.get("/internal/force_flush"), deadline: deadline, limit: 0)
      do {
        let (head, body) = try reader.fetch(export, deadline: deadline, limit: 4096)
        if head.isSuccess, String(decoding: body, as: UTF8.self).contains("\"\(id)\"") {
          let seconds = Deadline.now() - started
          return "\(series) written to \(writer.endpoint.display) and read back from "
            + "\(reader.endpoint.display) in \(String(format: "%.2f", seconds)) s"
        }
        lastProblem =
          head.isSuccess
          ? "not there yet" : "the export answered \(head.status): " + HTTPCheck.bodyStart(body)
      } catch let failure as ProbeFailure {
        // A server that is not there will not be there in a few seconds either: said at once,
        // for what it is, rather than as a sample that was slow to arrive.
        if [.connectionRefused, .dnsNotFound, .noAddress].contains(failure.kind) {
          throw ProbeFailure(
            .writeTestFailed,
            "\(series) was written to \(writer.endpoint.display), but \(Self.readerUnreachable) "
              + "\(reader.endpoint.display) (\(failure.message))")
        }
        lastProblem = failure.message
      }
      guard deadline.remaining > Self.pollInterval else { break }
      usleep(UInt32(Self.pollInterval * 1_000_000))
    }
    throw ProbeFailure(
      .writeTestFailed,
      "\(series) was written to \(writer.endpoint.display) but not read back from "
        + "\(reader.endpoint.display) in time (\(lastProblem))")
  }

  /// How a failure names a read-back server that cannot be reached, which the diagnosis tells
  /// apart from a sample that did not arrive.
  static let readerUnreachable = "it cannot be read back: nothing answers at"

  /// A label value no other run makes: the time in milliseconds, the process and a random part.
  static func uniqueID() -> String {
    let milliseconds = Int64(Date().timeIntervalSince1970 * 1000)
    let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    return "\(milliseconds)-\(getpid())-\(random)"
  }

  /// Percent-encodes a query value, leaving only unreserved characters as they are.
  static func queryEncoded(_ text: String) -> String {
    let allowed = CharacterSet(
      charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
  }
}
