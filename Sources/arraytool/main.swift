// The arraytool executable: everything lives in ArrayToolKit; this only hands over the arguments.
import ArrayToolKit

#if canImport(Glibc)
  import Glibc
#endif

let status = ArrayTool.main(Array(CommandLine.arguments.dropFirst()))
exit(status.rawValue)
