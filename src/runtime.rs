//! One tokio runtime for the process, sized for the machine: the HTTP work is I/O-bound, so a worker per
//! core (at most 4) is enough, and smaller than tokio's default on big hosts that run many Node processes.
//! `WECHAT_OPENAPI_WORKER_THREADS` overrides the count (the benchmark compares sizes with it).

#[napi_derive::module_init]
fn init() {
    super::panics::install_hook();
    let per_core = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4);
    let workers = std::env::var("WECHAT_OPENAPI_WORKER_THREADS").ok().and_then(|v| v.parse::<usize>().ok()).filter(|n| (1..=64).contains(n));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.unwrap_or(per_core))
        .thread_name("wechat-openapi")
        .enable_all()
        .build();
    if let Ok(runtime) = runtime {
        napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
    }
}
