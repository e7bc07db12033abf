// The limit on open files, for a command that must hold many at once: `analyze-logs` merges its
// inputs by time, so each stays open from its first record to its last. The soft limit is often
// 1,024 while the hard limit, which a process may raise its soft limit to, is far higher.

#if canImport(Glibc)
  import Glibc
#endif

/// Makes room for files to be open at once.
enum OpenFileLimit {
  /// Descriptors kept for what a run opens besides its inputs: the runtime's own, a log opened
  /// again after the analysis to see whether it held anything.
  static let spare = 8

  /// Raises the soft limit on open files, no further than the hard limit allows, until `count`
  /// more files can be open at once beside those open now and `spare`.
  /// - Returns: nil when they can; otherwise the limit that stays, and how many it must allow.
  static func makeRoom(for count: Int) -> (limit: Int, needed: Int)? {
    let needed = openNow() + spare + count
    var limits = rlimit()
    // Where the limit cannot be read, opening is left to say what fails.
    guard getrlimit(resource, &limits) == 0 else { return nil }
    if limits.rlim_cur < rlim_t(needed) {
      var raised = limits
      raised.rlim_cur = min(limits.rlim_max, rlim_t(needed))
      if setrlimit(resource, &raised) == 0 { limits = raised }
    }
    guard limits.rlim_cur < rlim_t(needed) else { return nil }
    return (Int(clamping: limits.rlim_cur), needed)
  }

  private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)

  /// How many descriptors are open now (standard streams, ones inherited, the runtime's): they
  /// take places under the limit as the inputs do. Three where /proc cannot tell.
  private static func openNow() -> Int {
    guard let folder = opendir("/proc/self/fd") else { return 3 }
    defer { closedir(folder) }
    var count = 0
    while readdir(folder) != nil { count += 1 }
    // `.`, `..` and the descriptor of the listing itself.
    return max(3, count - 3)
  }
}
