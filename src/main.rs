//! `puente` binary: parse arguments, call the library, map errors to documented exit codes.
mod cli;

fn main() {
    let code = match cli::main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("puente: error: {e:#}");
            e.downcast_ref::<puente::Error>()
                .map(|e| e.exit_code())
                .unwrap_or(1)
        }
    };
    std::process::exit(code);
}
