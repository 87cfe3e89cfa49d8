//! The scope a record is created in: correlation id, user, session, host and the running
//! operation.
//!
//! The scope lives in a thread-local (no lock on lookup). It follows work explicitly:
//! [`with_correlation`] and [`Context::run`] for synchronous code, [`Scoped`] (built by
//! [`scope`], [`Context::scope`] or [`in_current_scope`]) for futures — the scope is swapped in
//! on every poll, so it follows a task across the worker threads of a multi-thread runtime —
//! and [`spawn`] / [`wrap`] for `std::thread`. Nested scopes restore the outer one on exit,
//! also when the inner code panics.
//!
//! ```
//! use hwlog_core::context::{current_correlation_id, with_correlation};
//!
//! with_correlation("req-1", || {
//!     with_correlation("req-2", || assert_eq!(current_correlation_id().unwrap(), "req-2"));
//!     assert_eq!(current_correlation_id().unwrap(), "req-1");
//! });
//! assert!(current_correlation_id().is_none());
//! ```
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Instant;

use crate::SharedStr;

/// User, session, host and operation of a scope. Records carry it as a shared snapshot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContextData {
    /// The user on whose behalf the work runs.
    pub user: Option<SharedStr>,
    /// The user's session.
    pub session: Option<SharedStr>,
    /// The host (machine, BMC or node) the work concerns.
    pub host: Option<SharedStr>,
    /// The operation in progress and when it started.
    pub operation: Option<(SharedStr, Instant)>,
}

#[derive(Clone, Default)]
struct State {
    correlation: Option<SharedStr>,
    context: Option<Arc<ContextData>>,
}

thread_local! {
    static CURRENT: RefCell<State> = RefCell::new(State::default());
}

/// Swaps `state` with the thread's current scope.
fn swap(state: &mut State) {
    // `try_with` so that use during thread teardown is a no-op instead of a panic.
    let _ = CURRENT.try_with(|c| {
        if let Ok(mut cur) = c.try_borrow_mut() {
            std::mem::swap(&mut *cur, state);
        }
    });
}

fn snapshot() -> State {
    CURRENT
        .try_with(|c| c.try_borrow().map(|s| s.clone()).unwrap_or_default())
        .unwrap_or_default()
}

/// The correlation id and context of the current scope (used by `Record::new`).
#[inline]
pub fn capture() -> (Option<SharedStr>, Option<Arc<ContextData>>) {
    let s = snapshot();
    (s.correlation, s.context)
}

/// The correlation id of the current scope.
pub fn current_correlation_id() -> Option<SharedStr> {
    CURRENT
        .try_with(|c| c.try_borrow().ok().and_then(|s| s.correlation.clone()))
        .ok()
        .flatten()
}

/// The context (user, session, host, operation) of the current scope.
pub fn current_context() -> Option<Arc<ContextData>> {
    CURRENT
        .try_with(|c| c.try_borrow().ok().and_then(|s| s.context.clone()))
        .ok()
        .flatten()
}

/// Replaces the current correlation id and returns the previous one. Low-level: prefer
/// [`with_correlation`]; used by integrations (e.g. `tracing` spans) that enter and exit
/// scopes in separate callbacks.
pub fn replace_correlation(id: Option<SharedStr>) -> Option<SharedStr> {
    CURRENT
        .try_with(|c| {
            c.try_borrow_mut()
                .map(|mut s| std::mem::replace(&mut s.correlation, id))
                .unwrap_or(None)
        })
        .unwrap_or(None)
}

/// Replaces the current context and returns the previous one (low-level; see
/// [`replace_correlation`]).
pub fn replace_context(ctx: Option<Arc<ContextData>>) -> Option<Arc<ContextData>> {
    CURRENT
        .try_with(|c| {
            c.try_borrow_mut()
                .map(|mut s| std::mem::replace(&mut s.context, ctx))
                .unwrap_or(None)
        })
        .unwrap_or(None)
}

/// Restores the saved scope when dropped (also on unwinding).
struct Restore(State);

impl Drop for Restore {
    fn drop(&mut self) {
        swap(&mut self.0);
    }
}

fn run_in<R>(state: State, f: impl FnOnce() -> R) -> R {
    let mut guard = Restore(state);
    swap(&mut guard.0);
    f()
}

/// Runs `f` with `id` as the correlation id; the previous id is restored afterwards.
pub fn with_correlation<R>(id: impl Into<SharedStr>, f: impl FnOnce() -> R) -> R {
    let mut s = snapshot();
    s.correlation = Some(id.into());
    run_in(s, f)
}

/// A future that runs inside a scope: the scope is installed on the polling thread for the
/// duration of each poll, whichever thread that is.
#[must_use = "futures do nothing unless polled"]
pub struct Scoped<F> {
    state: State,
    inner: F,
}

impl<F: Future> Future for Scoped<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        // SAFETY: `inner` is structurally pinned (never moved out of `self`); `state` is not
        // pinned and is only swapped in place.
        let this = unsafe { self.get_unchecked_mut() };
        // Install the task's scope; `this.state` now holds the thread's previous scope. The
        // guard swaps back on return or unwind, keeping what the task changed for next poll.
        swap(&mut this.state);
        let _back = SwapBack(&mut this.state);
        let inner = unsafe { Pin::new_unchecked(&mut this.inner) };
        inner.poll(cx)
    }
}

struct SwapBack<'a>(&'a mut State);

impl Drop for SwapBack<'_> {
    fn drop(&mut self) {
        swap(self.0);
    }
}

/// Runs a future with `id` as its correlation id (on every thread that polls it).
///
/// ```
/// # use std::future::Future;
/// # fn block_on<F: Future>(f: F) -> F::Output {
/// #     let waker = std::task::Waker::noop();
/// #     let mut cx = std::task::Context::from_waker(&waker);
/// #     let mut f = std::pin::pin!(f);
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// use hwlog_core::context::{current_correlation_id, scope};
/// let id = block_on(scope("req-7", async { current_correlation_id() }));
/// assert_eq!(id.unwrap(), "req-7");
/// ```
pub fn scope<F: Future>(id: impl Into<SharedStr>, fut: F) -> Scoped<F> {
    let mut state = snapshot();
    state.correlation = Some(id.into());
    Scoped { state, inner: fut }
}

/// Carries the current scope into a future, e.g. before `tokio::spawn`.
pub fn in_current_scope<F: Future>(fut: F) -> Scoped<F> {
    Scoped {
        state: snapshot(),
        inner: fut,
    }
}

/// Wraps a closure so that it runs in the current scope on whatever thread calls it.
pub fn wrap<R, F: FnOnce() -> R>(f: F) -> impl FnOnce() -> R {
    let state = snapshot();
    move || run_in(state, f)
}

/// `std::thread::spawn` that carries the current scope into the new thread.
///
/// ```
/// use hwlog_core::context::{current_correlation_id, spawn, with_correlation};
/// let h = with_correlation("req-9", || spawn(current_correlation_id));
/// assert_eq!(h.join().unwrap().unwrap(), "req-9");
/// ```
pub fn spawn<R, F>(f: F) -> std::thread::JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    std::thread::spawn(wrap(f))
}

/// Builder for a context scope (user, session, host).
///
/// ```
/// use hwlog_core::context::{current_context, Context};
/// Context::new().user("alice").session("s-1").run(|| {
///     let ctx = current_context().unwrap();
///     assert_eq!(ctx.user.as_deref(), Some("alice"));
/// });
/// ```
#[derive(Clone, Debug, Default)]
pub struct Context {
    data: ContextData,
    correlation: Option<SharedStr>,
}

impl Context {
    /// A context that inherits the fields of the current scope.
    pub fn new() -> Context {
        let s = snapshot();
        Context {
            data: s.context.map(|c| (*c).clone()).unwrap_or_default(),
            correlation: s.correlation,
        }
    }

    /// Sets the user.
    pub fn user(mut self, user: impl Into<SharedStr>) -> Self {
        self.data.user = Some(user.into());
        self
    }

    /// Sets the session.
    pub fn session(mut self, session: impl Into<SharedStr>) -> Self {
        self.data.session = Some(session.into());
        self
    }

    /// Sets the host.
    pub fn host(mut self, host: impl Into<SharedStr>) -> Self {
        self.data.host = Some(host.into());
        self
    }

    /// Sets the correlation id.
    pub fn correlation(mut self, id: impl Into<SharedStr>) -> Self {
        self.correlation = Some(id.into());
        self
    }

    /// Sets the running operation (normally done by an operation guard).
    pub fn operation(mut self, name: impl Into<SharedStr>, started: Instant) -> Self {
        self.data.operation = Some((name.into(), started));
        self
    }

    fn into_state(self) -> State {
        State {
            correlation: self.correlation,
            context: Some(Arc::new(self.data)),
        }
    }

    /// Runs `f` in this context.
    pub fn run<R>(self, f: impl FnOnce() -> R) -> R {
        run_in(self.into_state(), f)
    }

    /// Runs a future in this context.
    pub fn scope<F: Future>(self, fut: F) -> Scoped<F> {
        Scoped {
            state: self.into_state(),
            inner: fut,
        }
    }

    /// Installs this context on the current thread until the returned guard is dropped.
    pub fn enter(self) -> ContextGuard {
        let mut g = ContextGuard(Restore(self.into_state()));
        swap(&mut (g.0).0);
        g
    }
}

/// Restores the previous scope when dropped. Returned by [`Context::enter`].
#[must_use = "the context is left when the guard is dropped"]
pub struct ContextGuard(Restore);
