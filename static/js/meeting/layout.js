// The stage's geometry, apart from the DOM: how many columns make the tiles as large as they can
// be at the camera's aspect ratio. Pure functions, unit-tested with `node --test`.

/**
 * The largest tile a grid of `columns` can give `count` tiles of aspect `aspect` (width / height)
 * in a `width` x `height` stage with `gap` pixels between tiles.
 * @returns {{columns: number, rows: number, tileWidth: number, tileHeight: number}}
 */
export function gridFor(count, columns, { width, height, aspect = 4 / 3, gap = 0 }) {
  const rows = Math.ceil(count / columns);
  const cellWidth = Math.max(0, (width - gap * (columns - 1)) / columns);
  const cellHeight = Math.max(0, (height - gap * (rows - 1)) / rows);
  const tileWidth = Math.min(cellWidth, cellHeight * aspect);
  return { columns, rows, tileWidth, tileHeight: tileWidth / aspect };
}

/**
 * The grid that gives `count` tiles the largest area in the stage (ties go to fewer columns, so a
 * near-square stage fills rows before it adds columns).
 * @param {number} count
 * @param {{width: number, height: number, aspect?: number, gap?: number}} stage
 */
export function bestGrid(count, stage) {
  const tiles = Math.max(1, count);
  let best = gridFor(tiles, 1, stage);
  for (let columns = 2; columns <= tiles; columns += 1) {
    const candidate = gridFor(tiles, columns, stage);
    if (candidate.tileWidth > best.tileWidth + 0.5) best = candidate;
  }
  return best;
}
