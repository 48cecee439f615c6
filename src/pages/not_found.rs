use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <section class="page not-found">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address."</p>
            <p><a class="button" href=crate::browser::app_href("/runs")>"Go to the run list"</a></p>
        </section>
    }
}
