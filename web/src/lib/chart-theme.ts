/** Chart colours: canvas drawing cannot read CSS variables, so these mirror app.css's palette. */
export const CHART_COLORS = {
  background: '#0c1016',
  text: '#7b8594',
  grid: '#161d27',
  border: '#1c2430',
  crosshair: '#4d5665',
  up: '#1fbf83',
  down: '#f0514f',
  upVolume: 'rgba(31, 191, 131, 0.35)',
  downVolume: 'rgba(240, 81, 79, 0.35)',
} as const;
