import assert from "node:assert/strict";
import { test } from "node:test";

import { bestGrid, gridFor } from "../../static/js/meeting/layout.js";

const DESKTOP = { width: 1256, height: 640, aspect: 4 / 3, gap: 8 };
const PORTRAIT = { width: 374, height: 640, aspect: 4 / 3, gap: 8 };

test("one tile fills the height of a wide stage at the camera's aspect", () => {
  const grid = bestGrid(1, DESKTOP);
  assert.equal(grid.columns, 1);
  assert.equal(grid.tileHeight, 640);
  assert.ok(Math.abs(grid.tileWidth - (640 * 4) / 3) < 1e-9);
});

test("two people side by side on a desktop, stacked on a phone held upright", () => {
  assert.equal(bestGrid(2, DESKTOP).columns, 2);
  assert.equal(bestGrid(2, PORTRAIT).columns, 1);
});

test("three people on a phone held sideways share one row", () => {
  const grid = bestGrid(3, { width: 828, height: 300, aspect: 4 / 3, gap: 8 });
  assert.equal(grid.columns, 3);
  assert.equal(grid.rows, 1);
});

test("the chosen grid is never smaller than any other column count", () => {
  for (const stage of [DESKTOP, PORTRAIT, { width: 828, height: 300, gap: 8 }]) {
    for (let count = 1; count <= 12; count += 1) {
      const best = bestGrid(count, stage);
      for (let columns = 1; columns <= count; columns += 1) {
        assert.ok(best.tileWidth + 0.5 >= gridFor(count, columns, stage).tileWidth, `${count} in ${columns}`);
      }
      assert.ok(best.columns * best.tileWidth + (best.columns - 1) * (stage.gap || 0) <= stage.width + 1e-6);
      assert.ok(best.rows * best.tileHeight + (best.rows - 1) * (stage.gap || 0) <= stage.height + 1e-6);
    }
  }
});

test("an empty or degenerate stage gives a zero tile, not a negative one", () => {
  const grid = bestGrid(0, { width: 0, height: 0, gap: 8 });
  assert.equal(grid.tileWidth, 0);
  assert.equal(grid.columns, 1);
});
