// `arraytool generate`: writes a realistic export with known contents, for trying a pipeline
// without an array and for benchmarks.

import Foundation

/// Writes generated exports.
public enum GenerateCommand: Command {
  public static let spec = CommandSpec(
    name: "generate",
    summary: "Write a realistic test export with known contents.",
    discussion: """
      Writes an export shaped like a Dorado 5000 V6's: controllers, disks, LUNs, hosts, FC ports
      and a pool, files alternating between SP0 and SP1, consecutive time windows, values that
      follow a daily wave with noise. The same options always give the same bytes. As a .zip
      (default; with a SHA256SUMS member and OUTPUT.sha256 beside it) or a folder of day folders
      of .tgz files.
      """,
    positionals: [PositionalSpec("OUTPUT", help: "The .zip file or folder to write.")],
    options: [
      OptionSpec("files", .value(placeholder: "N"), help: "Number of .tgz files (default 8)."),
      OptionSpec("scale", .value(placeholder: "N"), help: "Multiply LUNs, hosts and disks by N (default 1: 280 series)."),
      OptionSpec("blocks", .value(placeholder: "N"), help: "Blocks per file (default 2)."),
      OptionSpec("rows", .value(placeholder: "N"), help: "Rows per block (default 15)."),
      OptionSpec("interval", .value(placeholder: "SECONDS"), help: "Seconds between rows (default 60)."),
      OptionSpec("start", .value(placeholder: "UNIX"), help: "Unix time of the first row (default 1758758400)."),
      OptionSpec("seed", .value(placeholder: "N"), help: "Seed of the value noise (default 1)."),
      OptionSpec("format", .value(placeholder: "FORMAT"), help: "zip (default) or dir.", choices: ["zip", "dir"]),
      OptionSpec("no-manifest", help: "Write no SHA256SUMS member and no .sha256 file."),
    ],
    examples: [
      "arraytool generate demo.zip",
      "arraytool generate --files 50 --scale 25 --format dir big-export/",
    ]
  )

  public static func run(_ arguments: ParsedArguments, context: CommandContext) throws
    -> ExitStatus
  {
    var profile = ExportProfile(scale: try arguments.integer("scale", in: 1...100_000) ?? 1)
    profile.files = try arguments.integer("files", in: 1...1_000_000) ?? profile.files
    profile.blocksPerFile = try arguments.integer("blocks", in: 1...10_000) ?? profile.blocksPerFile
    profile.rowsPerBlock = try arguments.integer("rows", in: 1...1_000_000) ?? profile.rowsPerBlock
    profile.interval = Int64(try arguments.integer("interval", in: 1...86_400) ?? Int(profile.interval))
    profile.start = Int64(try arguments.integer("start", in: 0...4_000_000_000) ?? Int(profile.start))
    profile.seed = UInt64(try arguments.integer("seed", in: 0...Int.max) ?? 1)
    let output = arguments.positionals[0]
    let generator = ExportGenerator(profile: profile)
    let manifest = !arguments.flag("no-manifest")
    if try arguments.choice("format", among: ["zip", "dir"]) == "dir" {
      try generator.writeDirectory(to: output)
    } else {
      let hash = try generator.writeZip(to: output, manifest: manifest)
      if manifest {
        let name = (output as NSString).lastPathComponent
        let line = "\(hash)  \(name)\n"
        guard FileManager.default.createFile(atPath: output + ".sha256", contents: Data(line.utf8)) else {
          throw SystemError("cannot write \(output).sha256", code: errno)
        }
      }
    }
    try context.console.print(
      "generated \(output): \(profile.files) files, \(InspectReport.grouped(profile.valuesPerRow)) "
        + "series, \(InspectReport.grouped(profile.totalSamples)) samples")
    return .success
  }
}
