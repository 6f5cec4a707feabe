fn main() -> std::process::ExitCode {
    cchc_api::cli::main()
}
