/** One line of the bench table: which link, what was measured, the figure. */
export interface Row {
  link: string;
  figure: string;
  value: string;
}
