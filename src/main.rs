//! The `phigate` binary: parse the command line and hand over to the library, with
//! mimalloc as the allocator (the gateway allocates per value and per request on every
//! worker thread, where glibc's malloc was a sixth of its CPU: BENCHMARKS.md, "Gateway
//! under load"). The library and its tests keep the system allocator.
use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    phigate::cli::run(phigate::cli::Cli::parse())
}
