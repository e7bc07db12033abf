// The text form of probe results, for a person at a terminal or reading a container log: one
// block per server, a line per phase with its timing, the resolver's setup when DNS failed, and
// the diagnosis in plain words with a command to try next.

import Foundation

/// Renders probe results as text.
public struct ProbeReport {
  /// Whether to mark phases with ✓ and ✗ (on a terminal) instead of `ok` and `FAIL`.
  public var symbols: Bool
  /// Whether to colour the marks.
  public var colour: Bool
  /// Lines are wrapped to this width.
  public var width = 100

  /// A report with marks as symbols or words, coloured or not.
  public init(symbols: Bool, colour: Bool) {
    self.symbols = symbols
    self.colour = colour
  }

  /// The block for one result, ending with a newline.
  public func render(_ result: ProbeResult) -> String {
    var text = "\(result.target.displayName) at \(result.endpoint.display): "
    if result.healthy {
      text += paint("healthy", "32")
    } else {
      text += paint("UNHEALTHY", "31") + (result.firstErrorKind.map { " (\($0.rawValue))" } ?? "")
    }
    if result.attempts > 1 { text += " after \(result.attempts) attempts" }
    text += "\n"

    let nameWidth = max(10, (result.phases.map(\.name.count).max() ?? 0) + 1)
    for phase in result.phases {
      let mark = phase.ok ? (symbols ? "✓" : "ok") : (symbols ? "✗" : "FAIL")
      let padding = String(repeating: " ", count: (symbols ? 1 : 4) - mark.count + 2)
      let name = phase.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
      let milliseconds = String(format: "%8.1f ms", phase.seconds * 1000)
      let lead = "  " + mark + padding + name + milliseconds + "  "
      // The message is wrapped under itself; the mark is painted after measuring.
      let block = wrap(lead + phase.message, indent: "", continuation: blank(lead.count))
      text += "  " + paint(mark, phase.ok ? "32" : "31") + block.dropFirst(2 + mark.count)
    }
    if let resolver = result.resolver {
      text += wrap("resolver: \(resolver.summary)", indent: "  ")
    }
    for entry in result.diagnosis {
      text += "\n" + wrap("\(entry.kind.rawValue): \(entry.explanation)", indent: "  ")
      text += "  next: \(entry.nextStep)\n"
    }
    return text
  }

  private func blank(_ count: Int) -> String {
    String(repeating: " ", count: count)
  }

  private func paint(_ text: String, _ code: String) -> String {
    colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  /// Breaks `text` into lines of at most `width` columns: the first starts with `indent`, the
  /// others with `continuation` (two spaces more than `indent` when not given).
  func wrap(_ text: String, indent: String, continuation: String? = nil) -> String {
    var lines: [String] = []
    var line = indent
    var lineHasWord = false
    for word in text.split(separator: " ", omittingEmptySubsequences: false) {
      if lineHasWord && line.count + 1 + word.count > width {
        lines.append(line)
        line = continuation ?? indent + "  "
        lineHasWord = false
      }
      line += (lineHasWord ? " " : "") + word
      lineHasWord = true
    }
    lines.append(line)
    return lines.joined(separator: "\n") + "\n"
  }
}
