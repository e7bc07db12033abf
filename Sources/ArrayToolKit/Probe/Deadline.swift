// A point on the monotonic clock by which a phase of a probe must be over. Every blocking step of
// the probe (a lookup, a connect, a read) takes one, so no step can outlast the `--timeout` the
// user set, whatever the network does.

#if canImport(Glibc)
  import Glibc
#endif

/// A moment on the monotonic clock, used as the limit of one phase.
public struct Deadline: Sendable {
  /// Seconds on the monotonic clock when the time is up.
  public let instant: Double

  /// The deadline `seconds` from now.
  public init(seconds: Double) {
    instant = Deadline.now() + seconds
  }

  /// Seconds left, never below zero.
  public var remaining: Double {
    max(0, instant - Deadline.now())
  }

  /// Whether the time is up.
  public var hasPassed: Bool {
    remaining == 0
  }

  /// Milliseconds left for `poll(2)`, rounded up so that a few microseconds left still wait.
  var pollMilliseconds: Int32 {
    let milliseconds = (remaining * 1000).rounded(.up)
    return Int32(min(milliseconds, Double(Int32.max)))
  }

  /// Sleeps until the deadline in steps of at most 0.1 s, asking `stop` before each; true when
  /// `stop` ended the sleep first.
  func sleep(unless stop: () -> Bool) -> Bool {
    repeat {
      if stop() { return true }
      usleep(UInt32(min(100_000, max(1_000, remaining * 1_000_000))))
    } while !hasPassed
    return false
  }

  /// The monotonic clock in seconds: unaffected by changes to the wall clock.
  public static func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
  }
}
