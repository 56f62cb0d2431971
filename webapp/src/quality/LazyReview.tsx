// The data-quality review, loaded when first opened: its own chunk (reps never download it); the
// service worker precaches it with the rest of the build.
import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../i18n";

type ReviewType = typeof import("./Review").Review;
let loaded: ReviewType | null = null;

export function LazyReview({ active }: { active: boolean }) {
  const { t } = useI18n();
  const [Screen, setScreen] = useState<ReviewType | null>(() => loaded);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (Screen) return;
    import("./Review").then(
      (module) => {
        loaded = module.Review;
        setScreen(() => module.Review);
      },
      () => setFailed(true),
    );
  }, []);
  if (Screen) return <Screen active={active} />;
  return (
    <div class="screen-body">
      {failed ? <p class="message message-error">{t("error.network")}</p> : (
        <p class="loading" role="status"><span class="spinner" aria-hidden="true" /> {t("app.loading")}</p>
      )}
    </div>
  );
}
