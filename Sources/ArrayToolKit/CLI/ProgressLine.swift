// The one line at the bottom of a terminal that a long command keeps rewriting to say how far it
// is (import's files and samples, verify's bytes), and that every other message clears first so
// that the two never run into each other.

import Foundation

/// A progress line on stderr, shared by the threads that report.
final class ProgressLine: @unchecked Sendable {
  private let console: Console
  private let lock = NSLock()
  private var shown = false

  init(console: Console) { self.console = console }

  /// Draws `line` in place of the one before.
  func show(_ line: String) {
    lock.lock()
    defer { lock.unlock() }
    console.writeError("\r\(line)\u{1B}[K")
    shown = true
  }

  /// Removes the line, if one is drawn.
  func clear() {
    lock.lock()
    defer { lock.unlock() }
    clearLocked()
  }

  /// Writes a diagnostic line where the progress line was.
  func say(_ message: String) {
    lock.lock()
    defer { lock.unlock() }
    clearLocked()
    console.diagnostic(message)
  }

  private func clearLocked() {
    if shown { console.writeError("\r\u{1B}[K") }
    shown = false
  }
}
