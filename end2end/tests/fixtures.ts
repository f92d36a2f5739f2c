// Playwright's `test` with one change: with JavaScript on, `page.goto` and `page.reload` return
// once the page is interactive (`data-hydrated` on <html>, set when hydration has finished, lazy
// pages included). Before that a form posts the plain way, which is right for a person but makes
// a test that clicks at once check the wrong behaviour.
import { expect, test as base } from '@playwright/test';

export const test = base.extend({
  page: async ({ page, javaScriptEnabled }, use) => {
    if (javaScriptEnabled) {
      const hydrated = () => page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
      const goto = page.goto.bind(page);
      const reload = page.reload.bind(page);
      page.goto = async (...args) => {
        const response = await goto(...args);
        await hydrated();
        return response;
      };
      page.reload = async (...args) => {
        const response = await reload(...args);
        await hydrated();
        return response;
      };
    }
    await use(page);
  },
});

/// After a plain form post (a file upload) the browser loads a new page: with JavaScript on, wait
/// until that page has hydrated before typing into it again, or hydration may redraw the form.
export async function interactive(page: import('@playwright/test').Page, javaScriptEnabled: boolean): Promise<void> {
  if (javaScriptEnabled) await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}

export { expect };
export type { Page } from '@playwright/test';
