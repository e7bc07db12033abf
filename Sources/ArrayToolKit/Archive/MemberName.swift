// The rule for member names that must not be trusted as paths, one for zip entries and tar
// members alike: nothing here is unpacked, but an archive that `verify` passes may be unpacked by
// someone else later, and a name that leaves the folder it is unpacked into must be told then.

/// Names of archive members as paths.
enum MemberName {
  /// Why `name` is unsafe to use as a path (absolute, drive letter, `..`); nil when it is safe.
  /// `\` counts as a separator too, as it does where such archives are often unpacked.
  static func unsafeReason(_ name: String) -> String? {
    if name.hasPrefix("/") || name.hasPrefix("\\") { return "the name is an absolute path" }
    let scalars = Array(name.unicodeScalars.prefix(2))
    if scalars.count == 2, scalars[1] == ":", scalars[0].properties.isAlphabetic {
      return "the name starts with a drive letter"
    }
    let parts = name.split(whereSeparator: { $0 == "/" || $0 == "\\" })
    if parts.contains("..") { return "the name climbs out of the archive with '..'" }
    return nil
  }
}
