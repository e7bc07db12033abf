// Where arraytool writes: results to stdout through a large buffer, diagnostics to stderr with
// the `arraytool:` prefix, and whether colour and progress lines are wanted.

import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A buffered writer on a file descriptor. A closed pipe surfaces as `ClosedPipe`, unless the
/// output is only the report of a verdict already reached (`outlivesReader`).
public final class OutputStream {
  private let descriptor: Int32
  private var buffer: [UInt8] = []
  private let capacity: Int
  /// Whether writing on after the reader went away drops the output instead of throwing
  /// `ClosedPipe`: set by commands whose exit status is decided before they print (verify,
  /// analyze-logs), so that `| head -1` does not turn problems found into exit status 0.
  /// Commands that produce as they go (export) stop at a closed pipe instead.
  public var outlivesReader = false
  private var readerGone = false
  /// The file written to, named when a write fails; nil for standard output.
  private let path: String?

  /// - Parameters:
  ///   - capacity: bytes gathered before a `write(2)`.
  ///   - path: the file `descriptor` was opened on, if it is not standard output.
  public init(descriptor: Int32, capacity: Int = 1 << 16, path: String? = nil) {
    self.descriptor = descriptor
    self.capacity = capacity
    self.path = path
    buffer.reserveCapacity(capacity)
  }

  /// Appends `text` and writes out when the buffer is full.
  public func write(_ text: String) throws {
    var text = text
    text.withUTF8 { buffer.append(contentsOf: $0) }
    if buffer.count >= capacity { try flush() }
  }

  /// Appends raw bytes and writes out when the buffer is full. A piece as large as the buffer
  /// is written straight from where it is, after what was gathered before it: an export hands
  /// over megabyte pieces, and copying each through the buffer only moved it twice.
  public func write(bytes: UnsafeRawBufferPointer) throws {
    if bytes.count >= capacity {
      try flush()
      try writeAll(bytes)
      return
    }
    buffer.append(contentsOf: bytes)
    if buffer.count >= capacity { try flush() }
  }

  /// Appends raw bytes and writes out when the buffer is full.
  public func write(bytes: [UInt8]) throws {
    buffer.append(contentsOf: bytes)
    if buffer.count >= capacity { try flush() }
  }

  /// Writes everything gathered so far.
  public func flush() throws {
    defer { buffer.removeAll(keepingCapacity: true) }
    try buffer.withUnsafeBytes { try writeAll($0) }
  }

  private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
    if readerGone { return }
    var offset = 0
    while offset < bytes.count {
      let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
      if written < 0 {
        if errno == EINTR { continue }
        let code = errno
        if code == EPIPE {
          guard outlivesReader else { throw ClosedPipe() }
          readerGone = true
          return
        }
        throw SystemError(path.map { "cannot write \($0)" } ?? "cannot write output", code: code)
      }
      offset += written
    }
  }
}

/// The terminal the tool talks to.
public final class Console {
  public let out: OutputStream
  private let errorDescriptor: Int32
  /// Whether stderr is a terminal: progress lines are drawn only then.
  public let stderrIsTerminal: Bool
  /// Whether stdout is a terminal that wants colour (`NO_COLOR` unset).
  public let colour: Bool

  public init(
    out: OutputStream = OutputStream(descriptor: 1), errorDescriptor: Int32 = 2,
    environment: [String: String] = Console.environment()
  ) {
    self.out = out
    self.errorDescriptor = errorDescriptor
    self.stderrIsTerminal = isatty(errorDescriptor) == 1
    let noColour = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
    self.colour = isatty(1) == 1 && !noColour && environment["TERM"] != "dumb"
  }

  /// `arraytool: error: message` on stderr.
  public func error(_ message: String) {
    diagnostic("error: \(message)")
  }

  /// `arraytool: warning: message` on stderr.
  public func warning(_ message: String) {
    diagnostic("warning: \(message)")
  }

  /// `arraytool: message` on stderr, unbuffered.
  public func diagnostic(_ message: String) {
    writeError("arraytool: \(printable(message))\n")
  }

  /// Writes `text` to stderr as it is (used for progress lines and reports meant for stderr).
  public func writeError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in
      var offset = 0
      while offset < bytes.count {
        let written = Glibc.write(errorDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 && errno == EINTR { continue }
        if written <= 0 { return }
        offset += written
      }
    }
  }

  /// Prints a result line on stdout.
  public func print(_ line: String = "") throws {
    try out.write(line)
    try out.write("\n")
  }

  /// Wraps `text` in an ANSI colour when colour is on.
  public func styled(_ text: String, _ style: Style) -> String {
    colour ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
  }

  public enum Style: String {
    case bold = "1"
    case red = "31"
    case green = "32"
    case yellow = "33"
  }

  /// The process environment as a dictionary.
  public static func environment() -> [String: String] {
    ProcessInfo.processInfo.environment
  }
}
