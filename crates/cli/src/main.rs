//! `wa-status`: check, watch and export the connection state of WhatsApp instances.

fn main() -> std::process::ExitCode {
    wa_status::main()
}
