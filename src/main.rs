//! The `phigate` binary: parse the command line and hand over to the library.
use clap::Parser;

fn main() -> std::process::ExitCode {
    phigate::cli::run(phigate::cli::Cli::parse())
}
