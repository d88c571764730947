import { greet } from "@rb/greet";

export default function Page() {
  return <p>{greet("next")} / {process.env.NEXT_PUBLIC_GREETING}</p>;
}
