// A night of importer logging with exactly known incidents, written out in every style
// analyze-logs reads: Python logging with dashes or brackets, docker compose with colours,
// docker logs --timestamps, JSON lines and CRLF line ends. The same events in each style must
// give the same bursts, which is what keeps the parser honest beyond the one committed fixture.

import Foundation

@testable import ArrayToolKit

/// One logged event before it is written in a style.
struct LogEvent {
  var time: LogTime
  var level: String
  var message: String
  var traceback: [String] = []
}

/// The ways the tests write events.
enum LogStyle: String, CaseIterable {
  case python
  case pythonBrackets
  case composeColoured
  case dockerTimestamps
  case jsonLines
  case crlf
}

enum IncidentLog {
  // MARK: - The night

  /// The incidents of `night`, as the analysis must find them.
  static let nightBursts = [
    BurstSummary(
      "dns_temporary", "2025-11-03 03:10:05.250", "2025-11-03 03:10:12.664", count: 80,
      workers: [3, 17]),
    BurstSummary(
      "connection_refused", "2025-11-03 04:00:00.000", "2025-11-03 04:00:29.900", count: 5,
      workers: [2, 6]),
    BurstSummary(
      "corrupt_archive", "2025-11-03 04:30:10.250", "2025-11-03 04:30:10.250", count: 1,
      workers: [12, 12]),
  ]

  static let truncatedFile =
    "PerfData_OceanStorDorado6000V6_SN_2102351QLH10P5100017_SP1_0_20251103041500.tgz"

  /// Importer logging of one night: a DNS storm whose every failure is followed by the
  /// worker's own error, a run of refused connections, a truncated archive with its traceback
  /// and the warning that skips it, a lone timeout, and warnings about an unknown metric.
  static var night: [LogEvent] {
    var events: [LogEvent] = []
    func at(_ text: String, _ offset: Double = 0) -> LogTime {
      LogTestSupport.time(text)!.adding(seconds: offset)
    }
    events.append(
      LogEvent(time: at("2025-11-03 03:00:00"), level: "INFO", message: "Import started: 40 files"))
    for worker in 3...17 {
      events.append(
        LogEvent(
          time: at("2025-11-03 03:00:00.500", Double(worker) / 10), level: "INFO",
          message: "[Worker \(worker)] Processing \(file(worker))"))
    }
    for index in 0..<3 {
      events.append(
        LogEvent(
          time: at("2025-11-03 03:05:00", Double(index)), level: "WARNING",
          message: "Unknown metric id 99\(index) in \(file(index + 3)), value ignored"))
    }
    for index in 0..<40 {
      let time = at("2025-11-03 03:10:05.250", Double(index) * 0.19)
      let address = String(0x7f3a_2c00_10 + index * 0x51, radix: 16)
      events.append(
        LogEvent(
          time: time, level: "ERROR",
          message: "Failed to push samples: HTTPConnectionPool(host='vmagent.monitoring', "
            + "port=8429): Max retries exceeded with url: /api/v1/import (Caused by "
            + "NameResolutionError(\"<urllib3.connection.HTTPConnection object at 0x\(address)>: "
            + "Failed to resolve 'vmagent.monitoring' ([Errno -3] Temporary failure in name "
            + "resolution)\"))"))
      let worker = 3 + index * 7 % 15
      events.append(
        LogEvent(
          time: time.adding(seconds: 0.004), level: "ERROR",
          message: "[Worker \(worker)] Failed to send batch \(index + 1) of 40, giving up"))
      if index % 9 == 4 {
        events.append(
          LogEvent(
            time: time.adding(seconds: 0.1), level: "INFO",
            message: "PROGRESS_JSON: {\"processed_files\": \(index), \"phase\": \"import\"}"))
      }
    }
    for (offset, worker) in zip([0, 7.5, 15, 22.5, 29.9], [2, 4, 6, 4, 2]) {
      events.append(
        LogEvent(
          time: at("2025-11-03 04:00:00", offset), level: "ERROR",
          message: "[Worker \(worker)] Failed to send batch: HTTPConnectionPool("
            + "host='victoriametrics', port=8428): Max retries exceeded with url: "
            + "/api/v1/import/native (Caused by NewConnectionError('<urllib3.connection."
            + "HTTPConnection object at 0x7f11aa\(worker)0c>: Failed to establish a new connection: "
            + "[Errno 111] Connection refused'))"))
    }
    events.append(
      LogEvent(
        time: at("2025-11-03 04:30:05"), level: "INFO",
        message: "[Worker 12] Processing \(truncatedFile)"))
    events.append(
      LogEvent(
        time: at("2025-11-03 04:30:10.250"), level: "ERROR",
        message:
          "[Worker 12] Error: Compressed file ended before the end-of-stream marker was reached",
        traceback: [
          "Traceback (most recent call last):",
          "  File \"/app/importer/worker.py\", line 88, in process_file",
          "    for member in archive:",
          "  File \"/usr/lib/python3.11/tarfile.py\", line 2490, in __iter__",
          "    tarinfo = self.next()",
          "EOFError: Compressed file ended before the end-of-stream marker was reached",
        ]))
    events.append(
      LogEvent(
        time: at("2025-11-03 04:30:10.260"), level: "WARNING",
        message: "[Worker 12] Skipping corrupted file: \(truncatedFile)"))
    events.append(
      LogEvent(
        time: at("2025-11-03 05:00:00"), level: "ERROR",
        message: "[Worker 5] HTTPConnectionPool(host='vmagent.monitoring', port=8429): Read "
          + "timed out. (read timeout=30)"))
    events.append(
      LogEvent(time: at("2025-11-03 05:10:00"), level: "INFO", message: "Import finished"))
    return events
  }

  static func file(_ index: Int) -> String {
    "PerfData_OceanStorDorado6000V6_SN_2102351QLH10P5100017_SP0_0_202511030\(100 + index)00.tgz"
  }

  // MARK: - Styles

  /// `events` written in `style`, one line per event (plus traceback lines).
  static func render(_ events: [LogEvent], style: LogStyle) -> String {
    var lines: [String] = []
    for event in events {
      switch style {
      case .python, .crlf:
        lines.append("\(pythonTime(event.time)) - \(event.level) - \(event.message)")
        lines += event.traceback
      case .pythonBrackets:
        lines.append("[\(pythonTime(event.time))][\(event.level)] \(event.message)")
        lines += event.traceback
      case .composeColoured:
        let prefix = "\u{1B}[36mimporter-1  |\u{1B}[0m "
        lines.append(prefix + "\(pythonTime(event.time)) - \(event.level) - \(event.message)")
        lines += event.traceback.map { prefix + $0 }
        if event.level == "INFO" {
          lines.append(
            "\u{1B}[33mvmagent-1   |\u{1B}[0m \(dockerTime(event.time)) info "
              + "VictoriaMetrics/app/vmagent/main.go:188 pushing")
        }
      case .dockerTimestamps:
        let stamp = dockerTime(event.time)
        lines.append("\(stamp) \(event.level):importer:\(event.message)")
        lines += event.traceback.map { "\(stamp) \($0)" }
      case .jsonLines:
        var object: [(String, String)] = [
          ("time", "\"\(isoTime(event.time))\""), ("level", "\"\(event.level.lowercased())\""),
          ("logger", "\"importer\""), ("message", JSONValue.quote(event.message)),
        ]
        if !event.traceback.isEmpty {
          object.append(("exc_info", JSONValue.quote(event.traceback.joined(separator: "\n"))))
        }
        lines.append("{" + object.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
      }
    }
    let end = style == .crlf ? "\r\n" : "\n"
    return lines.joined(separator: end) + end
  }

  /// `2025-11-03 03:10:05,250`.
  static func pythonTime(_ time: LogTime) -> String {
    let text = time.text
    return text.prefix(19) + "," + text.suffix(3)
  }

  /// `2025-11-03T03:10:05.250000000Z`, docker's nanosecond form.
  static func dockerTime(_ time: LogTime) -> String {
    isoTime(time).dropLast() + "000000Z"
  }

  /// `2025-11-03T03:10:05.250Z`.
  static func isoTime(_ time: LogTime) -> String {
    time.text.replacingOccurrences(of: " ", with: "T") + "Z"
  }
}
