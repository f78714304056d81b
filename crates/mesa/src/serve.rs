//! `mesa serve`: binds, announces the address, serves until SIGINT/SIGTERM.

use mesa_app::Desk;
use tokio::net::TcpListener;

use crate::config::ServeConfig;

pub async fn serve(desk: Desk, config: ServeConfig) -> anyhow::Result<()> {
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let backend = desk.store().backend();
    let secure = config.public_url.as_deref().is_some_and(|u| u.starts_with("https://"));
    let app = mesa_web::router(mesa_web::AppState::new(desk.clone(), config.timezone, secure));
    tracing::info!(%addr, ?backend, timezone = %config.timezone, "mesa is serving");
    // Tests and scripts read this line to find a port chosen with :0.
    println!("listening on http://{addr}");
    crate::http_server::serve(listener, app, config.limits, shutdown_signal()).await?;
    desk.store().close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
