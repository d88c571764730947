const root = document.querySelector<HTMLDivElement>("#app");
if (root) root.textContent = `built ${new Date(0).toISOString()}`;
