// a file in a folder, served at /folder/nested.js
export const nested = true;
