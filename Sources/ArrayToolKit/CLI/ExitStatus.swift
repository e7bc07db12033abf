// The exit codes of arraytool and the one place where an error becomes a message and a code.

/// What the process tells its caller. Each code means one thing for every subcommand.
public enum ExitStatus: Int32, Sendable {
  /// Everything asked for was done: all delivered, all clean, all healthy.
  case success = 0
  /// The run finished but found or left problems: corrupt files, undelivered batches,
  /// an unhealthy target, errors in a log.
  case problems = 1
  /// The tool was called wrongly or an input could not be read at all.
  case usage = 2
  /// Interrupted by SIGINT or SIGTERM.
  case interrupted = 130
}

/// An error that knows how to explain itself to a person and which exit code it means.
public protocol UserFacingError: Error {
  /// One line (or a few) for stderr, without the `arraytool:` prefix.
  var userMessage: String { get }
  var exitStatus: ExitStatus { get }
}

/// Output could not be written because the reader went away (`| head`): not an error.
public struct ClosedPipe: Error {}

/// A failure of the environment rather than of the input: an unreadable path, a full disk.
public struct SystemError: UserFacingError, Equatable {
  /// What was being done, for example `cannot read /data/x.zip`.
  public var context: String
  /// The C `errno` value, or 0 when there is none.
  public var code: Int32
  public var reason: String

  public init(_ context: String, code: Int32, reason: String? = nil) {
    self.context = context
    self.code = code
    self.reason = reason ?? SystemError.describe(code)
  }

  public var userMessage: String { "\(context): \(reason)" }
  public var exitStatus: ExitStatus { .usage }

  static func describe(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text).lowercased()
  }
}

extension ExitStatus {
  /// Prints `error` on stderr the way the user should see it and returns its exit code.
  public static func report(_ error: Error, console: Console) -> ExitStatus {
    switch error {
    case is ClosedPipe:
      return .success
    case let usage as UsageError:
      console.error(usage.message)
      let help = usage.command.map { "arraytool \($0) --help" } ?? "arraytool --help"
      console.diagnostic("hint: see '\(help)'")
      return .usage
    case let known as UserFacingError:
      console.error(known.userMessage)
      return known.exitStatus
    default:
      console.error("\(error)")
      return .problems
    }
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
